// `nsreconcile plan NAME`: another context's look at its namespace that
// takes no lock (and so creates no lock file) and, never being applied,
// saves nothing.
#pragma once

#include <memory>

#include "reconcile/update_context.hpp"

namespace nsr::reconcile {

class PlanOnlyContext : public UpdateContext {
  public:
    explicit PlanOnlyContext(std::unique_ptr<UpdateContext> inner) : inner_(std::move(inner)) {}

    const NamespacePaths& paths() const override { return inner_->paths(); }
    base::Fd lock() override { return {}; }
    profile::MountProfile load_desired() override { return inner_->load_desired(); }
    profile::MountProfile load_current() override { return inner_->load_current(); }
    void prepare_save(const std::function<void(const std::string&)>&) override {}
    bool current_lost() const override { return inner_->current_lost(); }
    JournalFile* journal_file() override { return inner_->journal_file(); }
    std::optional<Inside> enter(const profile::MountProfile& desired, bool applying,
                                const std::function<void(const std::string&)>& debug) override {
        return inner_->enter(desired, applying, debug);
    }
    void expand(profile::MountProfile& profile) override { inner_->expand(profile); }
    WritablePlaces writable_places() const override { return inner_->writable_places(); }
    void save_current(std::string_view) override {}

  private:
    std::unique_ptr<UpdateContext> inner_;
};

}  // namespace nsr::reconcile
