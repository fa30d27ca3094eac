// A MountView read from a MountTable snapshot: scenario files, tests, and
// the fallback where the kernel cannot be asked about one path (no
// statmount). The snapshot is kept current from the tool's own changes, so
// the kernel's table is read once per run.
#pragma once

#include "base/fd.hpp"
#include "mountinfo/mount_table.hpp"
#include "reconcile/kernel.hpp"
#include "reconcile/mount_view.hpp"

namespace nsr::reconcile {

class TableMountView final : public MountView {
  public:
    // Queries only: record_mount() and record_detach() throw std::logic_error.
    explicit TableMountView(const mountinfo::MountTable& table);
    // Queries and updates of TABLE; KERNEL tells the id and device of each
    // mount the tool makes. Both must outlive the view.
    TableMountView(mountinfo::MountTable& table, Kernel& kernel);

    std::vector<mountinfo::Mount> stack_at(std::string_view dir) override;
    std::optional<MountedPath> resolve(std::string_view path) override;
    std::optional<mountinfo::Mount> parent_of(const mountinfo::Mount& m) override;
    void record_mount(const base::Fd& mount_fd, mountinfo::Mount proto, bool beneath) override;
    void record_detach(std::string_view dir) override;
    bool wants_protos() const override { return true; }

  private:
    mountinfo::MountTable& writable();

    const mountinfo::MountTable& table_;
    mountinfo::MountTable* writable_ = nullptr;
    Kernel* kernel_ = nullptr;
};

}  // namespace nsr::reconcile
