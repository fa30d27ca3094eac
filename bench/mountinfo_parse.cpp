// Parse time of a generated 10,000-line mountinfo, read by MountTable's own
// parser and by libmount, in one process run; prints a Markdown table.
//
//   mountinfo_parse [LINES [REPETITIONS]]
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

#include "bench/libmount_table.hpp"
#include "bench/measure.hpp"
#include "bench/mountinfo_generate.hpp"
#include "mountinfo/mount_table.hpp"

using nsr::mountinfo::Mount;
using nsr::mountinfo::MountTable;

namespace {

using nsr::bench::measure;
using nsr::bench::Timing;

// Number of records that differ, and a description of the first one.
std::pair<size_t, std::string> differences(const std::vector<Mount>& a,
                                           const std::vector<Mount>& b) {
    if (a.size() != b.size()) {
        return {std::max(a.size(), b.size()),
                std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " records"};
    }
    size_t count = 0;
    std::string first;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == b[i]) {
            continue;
        }
        if (count++ == 0) {
            first = "line " + std::to_string(i + 1) + ": root '" + a[i].root + "' vs '" +
                    b[i].root + "', mount point '" + a[i].mount_point + "' vs '" +
                    b[i].mount_point + "', super options '" + a[i].super_options + "' vs '" +
                    b[i].super_options + "'";
        }
    }
    return {count, first};
}

std::string write_temp(const std::string& text) {
    char path[] = "/tmp/nsr-bench-mountinfo-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "cannot create temp file");
    }
    const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    close(fd);
    if (!ok) {
        unlink(path);
        throw std::system_error(errno, std::generic_category(),
                                std::string("cannot write ") + path);
    }
    return path;
}

}  // namespace

int main(int argc, char** argv) {
    const size_t lines = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
    const int repetitions = argc > 2 ? std::atoi(argv[2]) : 21;
    const std::string text = nsr::bench::generate_mountinfo(lines);
    const std::string path = write_temp(text);

    const std::vector<Mount> ours = nsr::mountinfo::parse_mountinfo(text, path);
    const std::vector<Mount> theirs = nsr::bench::libmount_parse_file(path);
    const auto [differing, first] = differences(ours, theirs);

    const Timing own =
        measure(repetitions, [&] { return MountTable::from_file(path).mounts().size(); });
    const Timing lib = measure(repetitions, [&] {
        return MountTable(nsr::bench::libmount_parse_file(path)).mounts().size();
    });
    const Timing own_parse =
        measure(repetitions, [&] { return nsr::mountinfo::parse_mountinfo(text, path).size(); });
    const Timing lib_parse = measure(repetitions, [&] {
        nsr::bench::libmount_parse_only(path);
        return size_t{0};
    });
    const Timing indexes = measure(repetitions, [&] { return MountTable(ours).mounts().size(); });

    // The lookups needed() makes: one per profile entry, against the whole table.
    const MountTable table(ours);
    const Timing lookups = measure(repetitions, [&] {
        size_t found = 0;
        for (const Mount& m : table.mounts()) {
            found += table.top_at(m.mount_point) != nullptr;
            found += table.resolve(m.mount_point + "/x").has_value();
        }
        return found;
    });
    unlink(path.c_str());

    std::printf("%zu mountinfo lines (%zu bytes), median of %d runs, compiler %s.\n\n", ours.size(),
                text.size(), repetitions, __VERSION__);
    std::printf("| what | median ms | min ms |\n|---|---:|---:|\n");
    const auto row = [](const char* what, Timing t) {
        std::printf("| %s | %.2f | %.2f |\n", what, t.median_ms, t.min_ms);
    };
    row("**MountTable::from_file** (read, own parser, indexes)", own);
    row("**libmount** mnt_table_parse_file, copy to Mount, indexes", lib);
    row("own parser alone (text in memory)", own_parse);
    row("mnt_table_parse_file alone (file, no copy)", lib_parse);
    row("copying the Mount records and building the indexes", indexes);
    row("top_at + resolve for every mount point (2 x N lookups)", lookups);
    std::printf("\nlibmount / own parser, end to end: **%.2fx**\n", lib.median_ms / own.median_ms);
    std::printf("Records that differ between the two parsers: %zu%s%s\n", differing,
                differing == 0 ? "" : " - first: ", first.c_str());
    return 0;
}
