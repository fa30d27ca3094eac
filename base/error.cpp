#include "base/error.hpp"

#include <system_error>

namespace nsr::base {

namespace {

std::string located(const std::string& source, int line, const std::string& message) {
    std::string out = source;
    if (line > 0)
        out += ":" + std::to_string(line);
    return out.empty() ? message : out + ": " + message;
}

}  // namespace

InputError::InputError(std::string source, int line, std::string message)
    : std::runtime_error(located(source, line, message)),
      source_(std::move(source)),
      line_(line),
      message_(std::move(message)) {}

void throw_errno(int neg_errno, const std::string& what) {
    throw std::system_error(-neg_errno, std::generic_category(), what);
}

std::string errno_text(int err) {
    return std::generic_category().message(err);
}

}  // namespace nsr::base
