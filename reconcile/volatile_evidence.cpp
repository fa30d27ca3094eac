#include "reconcile/volatile_evidence.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <system_error>

#include "base/file.hpp"
#include "base/names.hpp"
#include "base/path.hpp"
#include "profile/fstab.hpp"

namespace nsr::reconcile {

using base::Fd;
namespace {

constexpr base::Named<VolatileState> kStates[] = {{VolatileState::Mounting, "mounting"},
                                                  {VolatileState::Attaching, "attaching"},
                                                  {VolatileState::Mounted, "mounted"},
                                                  {VolatileState::Unmounting, "unmounting"},
                                                  {VolatileState::Unmounted, "unmounted"}};

bool after_sync(VolatileState s) {
    return s == VolatileState::Unmounting || s == VolatileState::Unmounted;
}

// A record is a few hundred bytes; anything bigger is not one of ours.
constexpr size_t kMaxRecord = 16 * 1024;

[[noreturn]] void fail(int err, const std::string& what) {
    throw std::system_error(err, std::generic_category(), what);
}

// FNV-1a, 64 bits: a stable name for the pair. The record holds the paths
// too, so a collision reads as "no record", never as another pair's.
uint64_t fnv1a(std::string_view s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string hex(uint64_t v) {
    char buf[17];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, 16);
    (void)ec;
    return std::string(16 - static_cast<size_t>(end - buf), '0') + std::string(buf, end);
}

std::optional<uint64_t> number(const std::string& s, int base) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return v;
}

std::string format(const VolatileRecord& r) {
    std::string out;
    auto line = [&](const char* key, const std::string& value) {
        out += key;
        out += '=';
        // The fstab escapes keep a path with a newline on one line.
        out += profile::escape(value);
        out += '\n';
    };
    line("upper", r.upper);
    line("work", r.work);
    line("boot_id", r.boot_id);
    line("dev",
         std::to_string(major(r.identity.dev)) + ":" + std::to_string(minor(r.identity.dev)));
    line("fsid", hex(r.identity.fsid));
    line("upper_ino", std::to_string(r.identity.ino));
    line("marker", std::to_string(r.marker.ino) + ":" + std::to_string(r.marker.ctime_sec) + "." +
                       std::to_string(r.marker.ctime_nsec));
    line("mounted_at", r.mounted_at);
    line("state", std::string(volatile_state_name(r.state)));
    if (after_sync(r.state)) {
        line("syncfs_errno", std::to_string(r.sync_errno));
        line("unmounted_at", r.unmounted_at);
    }
    return out;
}

// The record in TEXT, or why it is not one.
std::optional<VolatileRecord> parse(const std::string& text, std::string& why) {
    std::map<std::string, std::string> fields;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) {
            why = "the last line is cut short";
            return std::nullopt;
        }
        const std::string line = text.substr(start, nl - start);
        start = nl + 1;
        const size_t eq = line.find('=');
        if (eq == std::string::npos) {
            why = "a line has no '='";
            return std::nullopt;
        }
        fields[line.substr(0, eq)] = profile::unescape(line.substr(eq + 1));
    }
    auto get = [&](const char* key) -> const std::string* {
        auto it = fields.find(key);
        return it == fields.end() ? nullptr : &it->second;
    };
    VolatileRecord r;
    for (auto [key, field] : {std::pair{"upper", &r.upper},
                              {"work", &r.work},
                              {"boot_id", &r.boot_id},
                              {"mounted_at", &r.mounted_at}}) {
        const std::string* v = get(key);
        if (!v) {
            why = std::string("no ") + key;
            return std::nullopt;
        }
        *field = *v;
    }
    const std::string* dev = get("dev");
    const std::string* fsid = get("fsid");
    const std::string* ino = get("upper_ino");
    const std::string* state = get("state");
    std::optional<uint64_t> maj, min, fs, in;
    if (dev && dev->find(':') != std::string::npos) {
        maj = number(dev->substr(0, dev->find(':')), 10);
        min = number(dev->substr(dev->find(':') + 1), 10);
    }
    if (fsid)
        fs = number(*fsid, 16);
    if (ino)
        in = number(*ino, 10);
    if (!maj || !min || !fs || !in) {
        why = "the upper filesystem's identity cannot be read";
        return std::nullopt;
    }
    r.identity = {makedev(*maj, *min), *fs, static_cast<ino_t>(*in)};
    const std::string* marker = get("marker");
    const size_t colon = marker ? marker->find(':') : std::string::npos;
    const size_t dot = marker ? marker->find('.', colon) : std::string::npos;
    if (colon == std::string::npos || dot == std::string::npos) {
        why = "the marker's identity cannot be read";
        return std::nullopt;
    }
    const auto m_ino = number(marker->substr(0, colon), 10);
    const auto m_sec = number(marker->substr(colon + 1, dot - colon - 1), 10);
    const auto m_nsec = number(marker->substr(dot + 1), 10);
    if (!m_ino || !m_sec || !m_nsec) {
        why = "the marker's identity cannot be read";
        return std::nullopt;
    }
    r.marker = {static_cast<ino_t>(*m_ino), static_cast<int64_t>(*m_sec),
                static_cast<int64_t>(*m_nsec)};
    const auto named = state ? base::value_named(kStates, *state) : std::nullopt;
    if (!named) {
        why = "no state";
        return std::nullopt;
    }
    r.state = *named;
    if (after_sync(r.state)) {
        const std::string* sync = get("syncfs_errno");
        const std::string* at = get("unmounted_at");
        auto e = sync ? number(*sync, 10) : std::nullopt;
        if (!e || !at) {
            why = "the unmount's syncfs result cannot be read";
            return std::nullopt;
        }
        r.sync_errno = static_cast<int>(*e);
        r.unmounted_at = *at;
    }
    return r;
}

}  // namespace

std::string_view volatile_state_name(VolatileState s) {
    return base::name_of(kStates, s);
}

int upper_identity_read(Kernel& kernel, int fd, UpperIdentity& out) {
    struct stat st {};
    if (int rc = kernel.fstatat(fd, "", &st, AT_EMPTY_PATH); rc < 0)
        return rc;
    struct statfs sfs {};
    if (int rc = kernel.fstatfs(fd, &sfs); rc < 0)
        return rc;
    uint32_t words[2];
    static_assert(sizeof words == sizeof sfs.f_fsid);
    std::memcpy(words, &sfs.f_fsid, sizeof words);
    out = {st.st_dev, (static_cast<uint64_t>(words[0]) << 32) | words[1], st.st_ino};
    return 0;
}

int marker_identity_read(Kernel& kernel, int dirfd, const char* name, MarkerIdentity& out) {
    struct stat st {};
    if (int rc = kernel.fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW); rc < 0)
        return rc;
    out = {st.st_ino, static_cast<int64_t>(st.st_ctim.tv_sec),
           static_cast<int64_t>(st.st_ctim.tv_nsec)};
    return 0;
}

std::string boot_id_read() {
    std::string id = base::read_file("/proc/sys/kernel/random/boot_id", 64);
    while (!id.empty() && id.back() == '\n')
        id.pop_back();
    return id;
}

std::string utc_stamp(std::time_t t) {
    struct tm tm {};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

VolatileStore::VolatileStore(Fd root, std::string path)
    : root_(std::move(root)), path_(std::move(path)) {}

VolatileStore VolatileStore::deferred(const std::string& path) {
    int fd = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        fail(errno, "cannot open \"/\" for the volatile overlay records in " + path);
    return VolatileStore(Fd(fd), path);
}

VolatileStore VolatileStore::open(const std::string& path) {
    VolatileStore store = deferred(path);
    store.dir(true);
    return store;
}

const Fd* VolatileStore::dir(bool create) {
    if (dir_)
        return &dir_;
    // One component at a time from "/", none of them a symlink: /run is
    // root's, but a store in a directory someone else could write must
    // not be redirected.
    Fd at;
    int at_fd = root_.get();
    std::string walked;
    size_t start = 1;
    while (start <= path_.size()) {
        size_t slash = path_.find('/', start);
        if (slash == std::string::npos)
            slash = path_.size();
        const std::string name = path_.substr(start, slash - start);
        start = slash + 1;
        if (name.empty())
            continue;
        walked += "/" + name;
        if (create && ::mkdirat(at_fd, name.c_str(), 0700) < 0 && errno != EEXIST)
            fail(errno, "cannot create " + walked);
        const int fd =
            ::openat(at_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && !create)
            return nullptr;
        if (fd < 0)
            fail(errno, "cannot open the volatile overlay records in " + walked);
        at = Fd(fd);
        at_fd = at.get();
    }
    dir_ = std::move(at);
    return &dir_;
}

std::string VolatileStore::file_name(const std::string& upper, const std::string& work) {
    return hex(fnv1a(upper + '\0' + work)) + ".volatile";
}

std::optional<VolatileRecord> VolatileStore::find(const std::string& upper, const std::string& work,
                                                  std::string* why) {
    const Fd* d = dir(false);
    if (!d)
        return std::nullopt;
    const std::string name = file_name(upper, work);
    const std::string display = path_ + "/" + name;
    std::optional<std::string> text;
    try {
        text = base::try_read_file_at(d->get(), name, kMaxRecord, display);
    } catch (const std::system_error& e) {
        // Too big, or not a regular file: not one of ours.
        if (e.code().value() != EFBIG && e.code().value() != EINVAL && e.code().value() != EISDIR)
            throw;
        if (why)
            *why = display + " is not a record (" + e.code().message() + ")";
        return std::nullopt;
    }
    if (!text)
        return std::nullopt;
    std::string problem;
    auto r = parse(*text, problem);
    if (!r) {
        if (why)
            *why = display + " is not a record: " + problem;
        return std::nullopt;
    }
    if (r->upper != upper || r->work != work) {
        if (why)
            *why = display + " is the record of another pair";
        return std::nullopt;
    }
    return r;
}

void VolatileStore::write(const VolatileRecord& r) {
    const std::string name = file_name(r.upper, r.work);
    base::write_file_at(dir(true)->get(), name, format(r), 0600, path_ + "/" + name);
}

void VolatileStore::record_new(const std::string& upper, const std::string& work,
                               const std::string& boot_id, const UpperIdentity& identity,
                               const MarkerIdentity& marker, VolatileState state, std::time_t now) {
    VolatileRecord r;
    r.upper = upper;
    r.work = work;
    r.boot_id = boot_id;
    r.identity = identity;
    r.marker = marker;
    r.state = state;
    r.mounted_at = utc_stamp(now);
    write(r);
}

void VolatileStore::record_mounting(const std::string& upper, const std::string& work,
                                    const std::string& boot_id, const UpperIdentity& identity,
                                    std::time_t now) {
    record_new(upper, work, boot_id, identity, {}, VolatileState::Mounting, now);
}

void VolatileStore::record_mounted(const std::string& upper, const std::string& work,
                                   const std::string& boot_id, const UpperIdentity& identity,
                                   const MarkerIdentity& marker, std::time_t now) {
    record_new(upper, work, boot_id, identity, marker, VolatileState::Attaching, now);
}

bool VolatileStore::record_attached(const std::string& upper, const std::string& work) {
    auto r = find(upper, work);
    if (!r || r->state == VolatileState::Mounted)
        return false;
    r->state = VolatileState::Mounted;
    r->sync_errno = 0;
    r->unmounted_at.clear();
    write(*r);
    return true;
}

bool VolatileStore::record_unmount(const std::string& upper, const std::string& work,
                                   VolatileState state, int sync_errno, std::time_t now) {
    auto r = find(upper, work);
    if (!r)
        return false;
    r->state = state;
    r->sync_errno = sync_errno;
    r->unmounted_at = utc_stamp(now);
    write(*r);
    return true;
}

bool VolatileStore::record_unmounting(const std::string& upper, const std::string& work,
                                      int sync_errno, std::time_t now) {
    return record_unmount(upper, work, VolatileState::Unmounting, sync_errno, now);
}

bool VolatileStore::record_unmounted(const std::string& upper, const std::string& work,
                                     int sync_errno, std::time_t now) {
    return record_unmount(upper, work, VolatileState::Unmounted, sync_errno, now);
}

int VolatileStore::forget(const std::string& upper, const std::string& work) {
    const Fd* d = dir(false);
    if (!d)
        return 0;
    if (::unlinkat(d->get(), file_name(upper, work).c_str(), 0) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

}  // namespace nsr::reconcile
