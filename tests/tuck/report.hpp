// What a test's forked child sends back to the doctest process: named
// values, one "key=value" line each, so the assertions run in the parent.
#pragma once

#include <map>
#include <sstream>
#include <string>

namespace nsr::tuck::test {

class Report {
  public:
    void set(const std::string& key, const std::string& value) { values_[key] = value; }
    void set(const std::string& key, long value) { values_[key] = std::to_string(value); }

    // A missing key reads as "" or -1, which no assertion accepts by accident.
    std::string text(const std::string& key) const {
        auto it = values_.find(key);
        return it == values_.end() ? "" : it->second;
    }
    long num(const std::string& key) const {
        auto it = values_.find(key);
        return it == values_.end() ? -1 : std::stol(it->second);
    }
    // Why the child could not report ("" when it did).
    const std::string& error() const { return error_; }

    // Values may hold anything but a newline (escaped as "\n").
    std::string str() const {
        std::string out;
        for (const auto& [k, v] : values_) {
            out += k + "=";
            for (char c : v)
                out += c == '\n'   ? std::string("\\n")
                       : c == '\\' ? std::string("\\\\")
                                   : std::string(1, c);
            out += "\n";
        }
        return out;
    }

    // A report that says only why there is none.
    static Report failed(const std::string& why) {
        Report r;
        r.error_ = why;
        return r;
    }

    // Parses str()'s output; anything else becomes error().
    static Report parse(const std::string& text) {
        Report r;
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) {
            const size_t eq = line.find('=');
            if (eq == std::string::npos) {
                r.error_ = text;
                return r;
            }
            std::string v;
            for (size_t i = eq + 1; i < line.size(); ++i) {
                if (line[i] == '\\' && i + 1 < line.size()) {
                    v += line[i + 1] == 'n' ? '\n' : line[i + 1];
                    ++i;
                } else {
                    v += line[i];
                }
            }
            r.values_[line.substr(0, eq)] = v;
        }
        if (r.values_.empty())
            r.error_ = "empty report";
        return r;
    }

  private:
    std::map<std::string, std::string> values_;
    std::string error_;
};

}  // namespace nsr::tuck::test
