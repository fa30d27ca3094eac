// Fuzzes the OCI converter (`convert --from oci`) on a made-up host where
// every absolute path exists except those with "missing" in them. Any spec
// converts or is refused with an OciSpecError naming where; what converts
// is a profile that lint accepts and that reads back as written, one mount
// per directory, each directory absolute and clean.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/path.hpp"
#include "cmd/oci_convert.hpp"
#include "fuzz/fuzz_check.hpp"
#include "profile/fstab.hpp"
#include "profile/validate.hpp"

using namespace nsr::cmd;
using nsr::reconcile::FileType;

namespace {

// The made-up host: a name with a dot in its last component is a regular
// file, one under /dev/ something else, anything else a directory.
OciContext made_up_host() {
    OciContext ctx;
    ctx.bundle = "/bundle";
    ctx.resolve = [](const std::string& p) -> std::optional<HostPath> {
        if (p.find("missing") != std::string::npos)
            return std::nullopt;
        FileType type = FileType::Directory;
        if (p.starts_with("/dev/"))
            type = FileType::Other;
        else if (p.substr(p.rfind('/') + 1).find('.') != std::string::npos)
            type = FileType::Regular;
        return HostPath{p, type};
    };
    ctx.dest_mode = [](const std::string& root, const std::string& dest) -> std::optional<mode_t> {
        if (!root.empty() && dest == "/tmp")
            return 01777;
        return std::nullopt;
    };
    return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const OciContext host = made_up_host();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    OciConversion c;
    try {
        c = oci_mounts_convert(text, host);
    } catch (const OciSpecError& e) {
        NSR_FUZZ_EXPECT(!std::string_view(e.what()).empty());
        return 0;
    }
    std::set<std::string> dirs;
    for (const auto& e : c.profile.entries) {
        NSR_FUZZ_EXPECT(nsr::base::is_clean_absolute(e.dir));
        NSR_FUZZ_EXPECT(dirs.insert(e.dir).second);
    }
    NSR_FUZZ_EXPECT(nsr::profile::validate_profile(c.profile).empty());
    const std::string written = nsr::profile::format_profile(c.profile);
    NSR_FUZZ_EXPECT(nsr::fuzz::normalized(nsr::profile::parse_profile(written, "fuzz (written)")) ==
                    nsr::fuzz::normalized(c.profile));
    return 0;
}
