#include "cmd/exit_code.hpp"

#include "reconcile/lock.hpp"

namespace nsr::cmd {

ExitCode exit_code_for(const std::exception& e) {
    if (dynamic_cast<const base::InputError*>(&e))
        return kExitBadInput;
    if (dynamic_cast<const reconcile::LockTimeout*>(&e))
        return kExitLocked;
    return kExitFailed;
}

}  // namespace nsr::cmd
