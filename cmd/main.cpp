#include <string>

#include "cmd/commands.hpp"

int main(int argc, char** argv) {
    nsr::cmd::Args args(argv + 1, argv + argc);
    return nsr::cmd::nsreconcile_main(argc > 0 ? argv[0] : "nsreconcile", args);
}
