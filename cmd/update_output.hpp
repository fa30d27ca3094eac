// Running an update (reconcile/update.hpp) for a subcommand and printing
// what happened: the judged plan (plan NAME, apply --dry-run) or each
// change's outcome (apply, ns create --apply, snap-update-ns).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "cmd/exit_code.hpp"
#include "cmd/text_report.hpp"
#include "reconcile/update.hpp"

namespace nsr::cmd {

struct UpdateRequest {
    bool json = false;  // print JSON instead of text
    TextStyle text;     // how the text report looks
    // Cgroup directories whose processes are frozen while changes are
    // applied. Their freezer files are opened first, even for a plan, so a
    // bad cgroup is refused (base::InputError) before anything happens.
    std::vector<std::string> freeze_cgroups;
    reconcile::UpdateOptions options;  // tuck and the debug log
};

// Prints the plan of CTX's update; "no mount namespace at NS_FILE: nothing
// to do" (or its JSON) when there is none. Returns kExitOk; errors throw.
ExitCode print_planned_update(reconcile::UpdateContext& ctx, const UpdateRequest& request,
                              std::ostream& out);

// Applies CTX's update and prints each change's outcome. kExitFailed when a
// change failed, kExitOk otherwise. After a fatal failure (a layout or
// overname entry), once the outcomes are printed and the new current
// profile is saved, throws std::runtime_error with the failure's detail.
ExitCode print_applied_update(reconcile::UpdateContext& ctx, const UpdateRequest& request,
                              std::ostream& out);

}  // namespace nsr::cmd
