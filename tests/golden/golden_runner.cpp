// golden_runner [--update] FIXTURE...: checks each plan scenario against the
// plan its expected: block pins and prints a diff for each that differs.
// With --update it rewrites the expected: blocks instead.
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/golden/fixture.hpp"

int main(int argc, char** argv) {
    bool update = false;
    std::vector<std::string> paths;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--update") {
            update = true;
        } else if (arg.starts_with("-")) {
            std::cerr << "usage: golden_runner [--update] FIXTURE...\n";
            return 2;
        } else {
            paths.emplace_back(arg);
        }
    }
    if (paths.empty()) {
        std::cerr << "usage: golden_runner [--update] FIXTURE...\n";
        return 2;
    }
    int failed = 0;
    for (const auto& path : paths) {
        try {
            if (update) {
                std::cout << path
                          << (nsr::golden::update_fixture(path) ? ": updated\n" : ": up to date\n");
                continue;
            }
            const std::string problem = nsr::golden::check_fixture(path);
            if (problem.empty()) {
                std::cout << path << ": ok\n";
            } else {
                std::cout << path << ": " << problem;
                if (problem.back() != '\n')
                    std::cout << "\n";
                ++failed;
            }
        } catch (const std::exception& e) {
            std::cout << e.what() << "\n";
            ++failed;
        }
    }
    return failed == 0 ? 0 : 1;
}
