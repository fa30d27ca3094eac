#include "bench/mountinfo_generate.hpp"

#include <string_view>
#include <vector>

namespace nsr::bench {

namespace {

class Writer {
  public:
    explicit Writer(size_t lines) : limit_(lines) {}

    bool full() const { return count_ >= limit_; }
    const std::string& text() const { return text_; }

    // Appends one line and returns its mount id.
    long add(long parent, std::string_view dev, std::string_view root, std::string_view point,
             std::string_view options, std::string_view optional, std::string_view fstype,
             std::string_view source, std::string_view super) {
        const long id = next_id_++;
        if (full()) {
            return id;
        }
        ++count_;
        text_ += std::to_string(id);
        text_ += ' ';
        text_ += std::to_string(parent);
        for (const std::string_view field : {dev, root, point, options}) {
            text_ += ' ';
            text_ += field;
        }
        if (!optional.empty()) {
            text_ += ' ';
            text_ += optional;
        }
        text_ += " - ";
        text_ += fstype;
        text_ += ' ';
        text_ += source;
        text_ += ' ';
        text_ += super;
        text_ += '\n';
        return id;
    }

  private:
    size_t limit_;
    size_t count_ = 0;
    long next_id_ = 21;
    std::string text_;
};

std::string n(size_t i) {
    return std::to_string(i);
}

}  // namespace

std::string generate_mountinfo(size_t lines) {
    Writer w(lines);
    const long root = w.add(1, "253:1", "/", "/", "rw,relatime", "shared:1", "ext4",
                            "/dev/mapper/vg-root", "rw,errors=remount-ro");
    w.add(root, "0:22", "/", "/proc", "rw,nosuid,nodev,noexec,relatime", "shared:12", "proc",
          "proc", "rw");
    const long sys = w.add(root, "0:21", "/", "/sys", "rw,nosuid,nodev,noexec,relatime", "shared:7",
                           "sysfs", "sysfs", "rw");
    w.add(sys, "0:29", "/", "/sys/fs/cgroup", "rw,nosuid,nodev,noexec,relatime", "shared:9",
          "cgroup2", "cgroup2", "rw,nsdelegate,memory_recursiveprot");
    const long dev = w.add(root, "0:5", "/", "/dev", "rw,nosuid,relatime", "shared:2", "devtmpfs",
                           "udev", "rw,size=8123456k,nr_inodes=2030864,mode=755");
    w.add(dev, "0:23", "/", "/dev/pts", "rw,nosuid,noexec,relatime", "shared:3", "devpts", "devpts",
          "rw,gid=5,mode=620,ptmxmode=000");
    const long run = w.add(root, "0:24", "/", "/run", "rw,nosuid,nodev,noexec,relatime", "shared:5",
                           "tmpfs", "tmpfs", "rw,size=1631620k,mode=755,inode64");
    const long user =
        w.add(run, "0:45", "/", "/run/user/1000", "rw,nosuid,nodev,relatime", "shared:410", "tmpfs",
              "tmpfs", "rw,size=1631616k,nr_inodes=407904,mode=700,uid=1000,gid=1000");
    w.add(user, "0:48", "/", "/run/user/1000/doc", "rw,nosuid,nodev,relatime", "shared:430",
          "fuse.portal", "portal", "rw,user_id=1000,group_id=1000");
    const long home = w.add(root, "253:2", "/", "/home", "rw,relatime", "shared:30", "ext4",
                            "/dev/mapper/vg-home", "rw");

    for (size_t i = 0; !w.full(); ++i) {
        const std::string snap = "app" + n(i);
        const std::string loop = "7:" + n(i % 4096);
        // A snap's squashfs, and the host's view of its data directories.
        const long squash = w.add(root, loop, "/", "/snap/" + snap + "/x" + n(i % 7),
                                  "ro,nodev,relatime", "shared:" + n(100 + i), "squashfs",
                                  "/dev/loop" + n(i % 4096), "ro,errors=continue,threads=single");
        w.add(squash, "0:" + n(60 + i % 500), "/", "/snap/" + snap + "/x" + n(i % 7) + "/meta",
              "rw,nosuid,nodev,relatime", "master:" + n(100 + i), "tmpfs", "tmpfs",
              "rw,size=64k,mode=755,inode64");
        // Binds from /home with spaces and a backslash in the names.
        w.add(root, "253:2", "/user/My\\040Documents/" + snap,
              "/var/snap/" + snap + "/common/My\\040Data", "rw,relatime",
              "shared:" + n(30) + " master:1", "ext4", "/dev/mapper/vg-home", "rw");
        w.add(root, "253:1", "/var/lib/snapd/hostfs\\134" + snap,
              "/var/lib/snapd/hostfs/" + snap + "\\011tab", "ro,relatime",
              "propagate_from:1 unbindable", "ext4", "/dev/mapper/vg-root", "rw,errors=remount-ro");
        // A container's overlay root with its own nested mounts.
        const std::string layer = "/var/lib/docker/overlay2/" + n(1000003 * (i + 1)) + "/merged";
        const long overlay = w.add(
            root, "0:" + n(600 + i % 1000), "/", layer, "rw,relatime", "", "overlay", "overlay",
            "rw,lowerdir=/var/lib/docker/overlay2/l/ABCDEFGH" + n(i) +
                ":/var/lib/docker/overlay2/l/IJKLMNOP,upperdir=/var/lib/docker/overlay2/" + n(i) +
                "/diff,workdir=/var/lib/docker/overlay2/" + n(i) + "/work,xino=off");
        const long cproc = w.add(overlay, "0:" + n(2000 + i % 1000), "/", layer + "/proc",
                                 "rw,nosuid,nodev,noexec,relatime", "", "proc", "proc", "rw");
        w.add(cproc, "0:22", "/sys", layer + "/proc/sys", "ro,nosuid,nodev,noexec,relatime", "",
              "proc", "proc", "rw");
        w.add(home, "0:" + n(3000 + i % 1000), "/", "/home/user/mnt/" + snap + "/deep\\012line",
              "rw,nosuid,nodev,relatime", "shared:" + n(5000 + i), "fuse.sshfs",
              "user@host:/srv/" + snap, "rw,user_id=1000,group_id=1000");
    }
    return w.text();
}

}  // namespace nsr::bench
