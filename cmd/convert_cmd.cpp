#include <cerrno>
#include <cstring>
#include <iostream>
#include <system_error>

#include "base/error.hpp"
#include "base/file.hpp"
#include "base/path.hpp"
#include "cmd/commands.hpp"
#include "cmd/help_text.hpp"
#include "cmd/oci_convert.hpp"
#include "cmd/options.hpp"
#include "profile/fstab.hpp"

namespace nsr::cmd {

namespace po = boost::program_options;

int convert_cmd(const Args& args) {
    po::options_description opts("options");
    opts.add_options()("help,h", "show this help")(
        "from", po::value<std::string>(), "the input format: oci (a runtime spec's config.json)");
    const auto vm = parse_subcommand_line(
        args, opts, std::nullopt, Positional::File,
        {"usage: nsreconcile convert --from oci CONFIG.json\n",
         "Prints the desired profile for the mounts of an OCI runtime spec, with\n"
         "runc's meanings (binds, tmpfs, overlays; ro/nosuid/nodev/noexec, the\n"
         "recursive r* flags, propagation). The runtime's own pseudo-filesystems\n"
         "(proc, sysfs, devpts, mqueue, cgroup, cgroup2) are skipped with a note on\n"
         "stderr. Exit 0, or 2 when the spec is not valid or holds a mount a\n"
         "profile cannot express (the message names its index and field).\n",
         {"nsreconcile convert --from oci bundle/config.json > ctr1.fstab",
          "# then, with the container's first process PID:",
          "nsreconcile apply ctr1 --pid PID --desired ctr1.fstab"}});
    if (vm.count("help"))
        return kExitOk;
    if (!vm.count("from"))
        throw UsageError("convert needs --from oci");
    if (vm["from"].as<std::string>() != "oci")
        throw UsageError("unknown input format '" + vm["from"].as<std::string>() +
                         "' (expected oci)");
    if (!vm.count("file"))
        throw UsageError("convert needs a CONFIG.json");
    const std::string path = vm["file"].as<std::string>();
    // A runtime spec is a few KiB; the bound only stops a runaway.
    std::string text;
    try {
        text = base::read_file(path, 16 << 20);
    } catch (const std::system_error& e) {
        throw base::InputError("cannot read " + path + ": " + e.code().message());
    }
    // Relative paths in the spec start at the bundle, the file's directory.
    std::string bundle = path.find('/') == std::string::npos ? "." : base::parent_dir(path);
    if (bundle.empty() || bundle.front() != '/') {
        char cwd[4096];
        if (::getcwd(cwd, sizeof cwd))
            bundle = base::clean_path(std::string(cwd) + "/" + bundle);
    }
    OciConversion c;
    try {
        c = oci_mounts_convert(text, oci_host_context(bundle));
    } catch (const OciSpecError& e) {
        throw base::InputError(path, 0, e.what());
    }
    for (const auto& note : c.notes)
        std::cerr << "nsreconcile: " << path << ": " << note << "\n";
    std::cout << profile::format_profile(c.profile);
    return kExitOk;
}

}  // namespace nsr::cmd
