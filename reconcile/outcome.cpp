#include "reconcile/outcome.hpp"

#include "base/names.hpp"

namespace nsr::reconcile {

std::string_view status_name(Status s) {
    static constexpr base::Named<Status> kNames[] = {{Status::Done, "done"},
                                                     {Status::AlreadyDone, "already done"},
                                                     {Status::Failed, "failed"},
                                                     {Status::Skipped, "skipped"}};
    return base::name_of(kNames, s);
}

}  // namespace nsr::reconcile
