#include "bench/libmount_table.hpp"

#include <libmount/libmount.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace nsr::bench {

namespace {

struct TableDeleter {
    void operator()(libmnt_table* tb) const { mnt_unref_table(tb); }
};
struct IterDeleter {
    void operator()(libmnt_iter* it) const { mnt_free_iter(it); }
};
using Table = std::unique_ptr<libmnt_table, TableDeleter>;

std::string str(const char* s) {
    return s == nullptr ? std::string() : std::string(s);
}

// libmount's callback only gets the file and line; keep the first failure.
std::string parse_failure;

int on_parse_error(libmnt_table*, const char* filename, int line) {
    if (parse_failure.empty()) {
        parse_failure = str(filename) + ":" + std::to_string(line) + ": libmount cannot parse";
    }
    return -EINVAL;
}

Table parse(const std::string& path) {
    Table tb(mnt_new_table());
    if (!tb) {
        throw std::bad_alloc();
    }
    parse_failure.clear();
    mnt_table_set_parser_errcb(tb.get(), on_parse_error);
    if (const int rc = mnt_table_parse_file(tb.get(), path.c_str()); rc != 0) {
        throw std::runtime_error(parse_failure.empty() ? path + ": " + std::strerror(-rc)
                                                       : parse_failure);
    }
    return tb;
}

}  // namespace

void libmount_parse_only(const std::string& path) {
    parse(path);
}

std::vector<mountinfo::Mount> libmount_parse_file(const std::string& path) {
    const Table tb = parse(path);
    std::unique_ptr<libmnt_iter, IterDeleter> it(mnt_new_iter(MNT_ITER_FORWARD));
    std::vector<mountinfo::Mount> mounts;
    mounts.reserve(static_cast<size_t>(mnt_table_get_nents(tb.get())));
    libmnt_fs* fs = nullptr;
    while (mnt_table_next_fs(tb.get(), it.get(), &fs) == 0) {
        mountinfo::Mount& m = mounts.emplace_back();
        m.id = mnt_fs_get_id(fs);
        m.parent_id = mnt_fs_get_parent_id(fs);
        const dev_t dev = mnt_fs_get_devno(fs);
        m.major = major(dev);
        m.minor = minor(dev);
        m.root = str(mnt_fs_get_root(fs));
        m.mount_point = str(mnt_fs_get_target(fs));
        m.mount_options = str(mnt_fs_get_vfs_options(fs));
        std::string_view optional = mnt_fs_get_optional_fields(fs) == nullptr
                                        ? std::string_view()
                                        : mnt_fs_get_optional_fields(fs);
        while (!optional.empty()) {
            const size_t space = optional.find(' ');
            if (space != 0) {
                m.optional_fields.emplace_back(optional.substr(0, space));
            }
            optional.remove_prefix(space == std::string_view::npos ? optional.size() : space + 1);
        }
        m.fstype = str(mnt_fs_get_fstype(fs));
        m.source = str(mnt_fs_get_source(fs));
        m.super_options = str(mnt_fs_get_fs_options(fs));
    }
    return mounts;
}

}  // namespace nsr::bench
