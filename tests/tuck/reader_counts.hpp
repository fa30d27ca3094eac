// What the tuck_reader counts (tests/tuck/reader.cpp) and the line it
// reports them in, for the reader and for the tests that start it.
#pragma once

#include <array>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace nsr::tuck::test {

struct ReaderCounts {
    long iterations = 0;
    long enoent = 0;
    long read_errno = 0;
    long unexpected = 0;
    long empty_listing = 0;
    long list_errno = 0;
    long changes = 0;

    long failures() const { return enoent + read_errno + unexpected + empty_listing + list_errno; }

    // "iterations=N enoent=N read_errno=N unexpected=N empty_listing=N
    // list_errno=N changes=N".
    std::string line() const {
        std::string out;
        for (const auto& [key, field] : fields())
            out += (out.empty() ? "" : " ") + std::string(key) + "=" + std::to_string(this->*field);
        return out;
    }

    // The counts in LINE; throws std::runtime_error when one is missing.
    static ReaderCounts parse(const std::string& line) {
        std::map<std::string, long> v;
        std::istringstream in(line);
        std::string kv;
        while (in >> kv) {
            const auto eq = kv.find('=');
            if (eq == std::string::npos)
                throw std::runtime_error("the reader said \"" + line + "\"");
            v[kv.substr(0, eq)] = std::stol(kv.substr(eq + 1));
        }
        ReaderCounts c;
        for (const auto& [key, field] : fields()) {
            if (!v.count(key))
                throw std::runtime_error("the reader's counts lack " + std::string(key) + ": " +
                                         line);
            c.*field = v[key];
        }
        return c;
    }

  private:
    static const std::array<std::pair<const char*, long ReaderCounts::*>, 7>& fields() {
        static const std::array<std::pair<const char*, long ReaderCounts::*>, 7> f{{
            {"iterations", &ReaderCounts::iterations},
            {"enoent", &ReaderCounts::enoent},
            {"read_errno", &ReaderCounts::read_errno},
            {"unexpected", &ReaderCounts::unexpected},
            {"empty_listing", &ReaderCounts::empty_listing},
            {"list_errno", &ReaderCounts::list_errno},
            {"changes", &ReaderCounts::changes},
        }};
        return f;
    }
};

}  // namespace nsr::tuck::test
