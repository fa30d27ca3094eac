#include "tests/reconcile/raw_mountinfo.hpp"

#include <fstream>
#include <sstream>

namespace nsr::test {

std::string raw_super_options(const std::string& path) {
    std::ifstream in("/proc/self/mountinfo");
    std::string line, found;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string f, point;
        for (int i = 0; i < 5; ++i)
            fields >> point;
        if (point != path)
            continue;
        while (fields >> f)
            found = f;
    }
    return found;
}

}  // namespace nsr::test
