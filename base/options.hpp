// Scanning comma-separated option strings ("ro,mode=0755,lowerdir=/a"), as
// mount(8) writes them and mountinfo shows them: the one scanner for the
// data of an fstab entry and the options of a mount.
#pragma once

#include <cstddef>
#include <iterator>
#include <optional>
#include <string_view>

namespace nsr::base {

// One item: a bare flag ("ro") or a "key=value" pair (split at the first
// '=', so a value may hold more of them).
struct Option {
    std::string_view text;                  // the whole item
    std::string_view key;                   // before the first '='
    std::optional<std::string_view> value;  // after it; none for a bare flag
};

// ITEM (one option, no comma split) split at its first '='.
Option parse_option(std::string_view item);

// The items of a string in order, empty ones ("a,,b", a trailing ',')
// skipped: `for (base::Option o : base::OptionList(data))`. Views into the
// string, which must outlive them.
class OptionList {
  public:
    explicit OptionList(std::string_view options) : options_(options) {}

    class iterator {
      public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Option;
        using difference_type = std::ptrdiff_t;
        using pointer = const Option*;
        using reference = const Option&;

        iterator() = default;
        explicit iterator(std::string_view rest) : rest_(rest) { advance(); }
        const Option& operator*() const { return current_; }
        const Option* operator->() const { return &current_; }
        iterator& operator++() {
            advance();
            return *this;
        }
        bool operator==(const iterator& other) const {
            return done_ == other.done_ &&
                   (done_ || current_.text.data() == other.current_.text.data());
        }

      private:
        void advance();
        std::string_view rest_;
        Option current_{};
        bool done_ = true;
    };

    iterator begin() const { return iterator(options_); }
    iterator end() const { return iterator(); }

  private:
    std::string_view options_;
};

// The value of the first item whose key is KEY: "" for a bare flag KEY,
// nothing when there is none.
std::optional<std::string_view> find_option(std::string_view options, std::string_view key);

// An item of OPTIONS is exactly TEXT ("ro" is in "rw,ro", not in "rox").
bool has_option(std::string_view options, std::string_view text);

}  // namespace nsr::base
