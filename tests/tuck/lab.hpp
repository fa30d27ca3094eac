// The world of one tuck test, built inside a forked child's private mount
// namespace: a tmpfs over a scratch directory, directory trees bound
// read-only (standing in for squashfs snaps), an application namespace
// preserved in a file, and the state files nsreconcile keeps. It all goes
// away with the child's namespace; the scratch directory itself is removed
// by run_lab.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "mountinfo/mount_table.hpp"
#include "tests/support/process.hpp"
#include "tests/tuck/report.hpp"

namespace nsr::tuck::test {

class Lab {
  public:
    // Mounts a tmpfs at ROOT, an existing empty directory.
    explicit Lab(std::string root);

    // ROOT/REL.
    std::string path(const std::string& rel) const { return root_ + "/" + rel; }
    // Creates ROOT/REL (and its parents) as a directory.
    void make_dirs(const std::string& rel) const;
    // Writes CONTENT to ROOT/REL, creating its directory.
    void write(const std::string& rel, const std::string& content) const;
    // Writes CONTENT to COUNT files of ROOT/DIR named numbered(PREFIX, 0..).
    void write_numbered(const std::string& dir, char prefix, int count,
                        const std::string& content) const;
    // Binds ROOT/FROM at ROOT/TO (created), read-only.
    void bind_ro(const std::string& from, const std::string& to) const;

    // The provider snap p in revisions 1 and 2: FILL(IMG, REV) writes each
    // tree at IMG (img/pREV), which is then bound read-only at snap/p/REV.
    void make_provider(const std::function<void(const std::string& img, int rev)>& fill) const;
    // The consumer snap app (revision 1) with an empty snap/app/1/data.
    void make_consumer() const;
    // The content bind of the provider's revision REV at the consumer's data.
    std::string content_entry(int rev) const;

    // Makes the application namespace at ROOT/ns/app.mnt, a copy of this
    // one; INSIDE runs in it first.
    void make_namespace(const std::function<void()>& inside = {}) const;
    std::string ns_file() const { return path("ns/app.mnt"); }

    // `nsreconcile apply app` on the namespace, with DESIRED as the desired
    // profile and EXTRA appended to the command line; its stderr is merged
    // into out.
    nsr::test::Output apply(const std::string& desired,
                            const std::vector<std::string>& extra = {}) const;
    // The current profile nsreconcile wrote.
    std::string current() const;
    // The application namespace's mount table, read from inside it.
    mountinfo::MountTable table() const;

  private:
    std::string root_;
};

// Runs one world in a forked child with a private mount namespace, on a
// fresh scratch directory: SETUP builds the trees, the application
// namespace is made (running INSIDE in it), then BODY runs and reports.
// Returns BODY's report, or one whose error() says why there is none.
Report run_lab(const std::function<void(Lab&)>& setup, const std::function<Report(Lab&)>& body,
               const std::function<void(const Lab&)>& inside = {});

// The count of mounts in TABLE whose mount point lies strictly below DIR.
long mounts_below(const mountinfo::MountTable& table, const std::string& dir);

// PREFIX and I in three digits ("f007"): the names of a test tree's files.
std::string numbered(char prefix, int i);

// Records the mounts at DIR in TABLE into R: "mounts_at_KEY" (how many) and
// "root_at_KEY" (the root of the visible one, "" without one); returns them.
std::vector<const mountinfo::Mount*> record_stack(Report& r, const mountinfo::MountTable& table,
                                                  const std::string& dir, const std::string& key);

}  // namespace nsr::tuck::test
