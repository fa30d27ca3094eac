#include "reconcile/outcome.hpp"

namespace nsr::reconcile {

std::string_view status_name(Status s) {
    switch (s) {
        case Status::Done:
            return "done";
        case Status::AlreadyDone:
            return "already done";
        case Status::Failed:
            return "failed";
        case Status::Skipped:
            return "skipped";
    }
    return "?";
}

}  // namespace nsr::reconcile
