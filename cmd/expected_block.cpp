#include "cmd/expected_block.hpp"

namespace nsr::cmd {

namespace {

// Double quotes unless the text has a backslash (\040 in fstab lines) or a
// double quote, which YAML would read as escapes; then single quotes, where
// only the single quote itself needs doubling.
std::string quoted(const std::string& s) {
    if (s.find_first_of("\\\"") == std::string::npos)
        return "\"" + s + "\"";
    std::string out = "'";
    for (char c : s) {
        out += c;
        if (c == '\'')
            out += '\'';
    }
    return out + "'";
}

struct Line {
    size_t begin;
    size_t end;             // past the newline, or the end of the text
    std::string_view text;  // without the newline
};

std::vector<Line> lines_of(std::string_view text) {
    std::vector<Line> out;
    for (size_t pos = 0; pos < text.size();) {
        size_t nl = text.find('\n', pos);
        size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        size_t len = (nl == std::string_view::npos ? text.size() : nl) - pos;
        out.push_back({pos, end, text.substr(pos, len)});
        pos = end;
    }
    return out;
}

bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

bool opens_expected(std::string_view line) {
    return line.starts_with("expected:") &&
           (line.size() == 9 || line[9] == ' ' || line[9] == '\t' || line[9] == '\r');
}

// Part of the block: indented, or an item of a sequence written at column 0
// (but not a "---" document marker).
bool continues_block(std::string_view line) {
    if (line.starts_with("---"))
        return false;
    return line.front() == ' ' || line.front() == '\t' || line.front() == '-';
}

}  // namespace

std::string expected_block(const std::vector<reconcile::PlannedChange>& plan, bool with_needed) {
    if (plan.empty())
        return "expected: []\n";
    std::string out = "expected:\n";
    for (const auto& p : plan) {
        out += "  - {action: " + std::string(reconcile::action_name(p.change.action));
        out += ", entry: " + quoted(p.change.entry.to_string());
        if (p.change.replaces)
            out += ", replaces: " + quoted(p.change.replaces->to_string());
        if (with_needed)
            out += p.needed ? ", needed: true" : ", needed: false";
        out += "}\n";
    }
    return out;
}

std::string replace_expected_block(std::string_view text, std::string_view block) {
    const auto lines = lines_of(text);
    size_t start = 0;
    while (start < lines.size() && !opens_expected(lines[start].text))
        ++start;
    if (start == lines.size()) {
        std::string out(text);
        if (!out.empty() && out.back() != '\n')
            out += '\n';
        return out.append(block);
    }
    size_t last = start;
    for (size_t i = start + 1; i < lines.size(); ++i) {
        if (is_blank(lines[i].text))
            continue;
        if (!continues_block(lines[i].text))
            break;
        last = i;
    }
    std::string out(text.substr(0, lines[start].begin));
    out.append(block);
    // A last line without a newline ends the block; keep it that way.
    if (lines[last].end == text.size() && text.back() != '\n' && out.back() == '\n')
        out.pop_back();
    out.append(text.substr(lines[last].end));
    return out;
}

}  // namespace nsr::cmd
