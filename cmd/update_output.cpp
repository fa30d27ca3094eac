#include "cmd/update_output.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string_view>

#include "cmd/freeze.hpp"
#include "cmd/json_text.hpp"
#include "cmd/render.hpp"

namespace nsr::cmd {

namespace {

std::string joined(const std::vector<std::string>& paths) {
    std::string out;
    for (const auto& p : paths)
        out += (out.empty() ? "" : " ") + p;
    return out;
}

void print_no_namespace(const reconcile::UpdateContext& ctx, bool json, std::ostream& out) {
    if (json) {
        out << dump_json({{"namespace", nullptr}, {"changes", nlohmann::json::array()}});
    } else {
        out << "no mount namespace at " << ctx.paths().ns_file << ": nothing to do\n";
    }
}

// The lines MAKE gives, on REQUEST's debug log; made only when there is one.
template <typename Make>
void log(const UpdateRequest& request, Make make) {
    if (!request.options.debug)
        return;
    for (const auto& line : make())
        request.options.debug(line);
}

// REQUEST's options; NSRECONCILE_MOUNT_SOURCE=mountinfo makes the update
// read the whole mount table, as on kernels without statmount (to compare
// the two).
reconcile::UpdateOptions options_of(const UpdateRequest& request) {
    reconcile::UpdateOptions options = request.options;
    const char* source = std::getenv("NSRECONCILE_MOUNT_SOURCE");
    if (source && std::string_view(source) == "mountinfo")
        options.mount_source = reconcile::MountSource::Mountinfo;
    return options;
}

// The freezer for REQUEST's cgroups, if it names any; opened on the host
// side, before the namespace is entered.
void open_freezer(const UpdateRequest& request, std::optional<Freezer>& freezer) {
    if (!request.freeze_cgroups.empty())
        freezer.emplace(request.freeze_cgroups);
}

}  // namespace

ExitCode print_planned_update(reconcile::UpdateContext& ctx, const UpdateRequest& request,
                              std::ostream& out) {
    // Opened only to check the cgroups: a plan freezes nothing.
    std::optional<Freezer> freezer;
    open_freezer(request, freezer);
    const auto planned = reconcile::plan_update(ctx, options_of(request));
    if (!planned) {
        print_no_namespace(ctx, request.json, out);
        return kExitOk;
    }
    log(request, [&] { return reason_lines(*planned); });
    out << (request.json ? dump_json(plan_json(*planned))
                         : plan_text(*planned, true, request.text));
    return kExitOk;
}

ExitCode print_applied_update(reconcile::UpdateContext& ctx, const UpdateRequest& request,
                              std::ostream& out) {
    std::optional<Freezer> freezer;
    open_freezer(request, freezer);
    reconcile::UpdateOptions options = options_of(request);
    const auto& debug = request.options.debug;
    // Shown on the report (not built for a failed stream) and the debug log.
    options.reasons = out || debug;
    if (freezer) {
        options.before_changes = [&] {
            freezer->freeze();
            if (debug)
                debug("froze " + joined(request.freeze_cgroups));
        };
        options.after_changes = [&] {
            freezer->thaw();
            if (debug)
                debug("thawed " + joined(request.freeze_cgroups));
        };
    }
    const auto result = reconcile::apply_update(ctx, options);
    if (!result) {
        print_no_namespace(ctx, request.json, out);
        return kExitOk;
    }
    log(request, [&] { return reason_lines(result->outcomes); });
    // A stream in a failed state (std::ostream(nullptr)) discards the
    // report: it is not built.
    if (out) {
        out << (request.json ? dump_json(outcomes_json(result->outcomes))
                             : outcomes_text(result->outcomes, request.text));
    }
    bool failed = false;
    for (const auto& o : result->outcomes) {
        if (o.status != reconcile::Status::Failed)
            continue;
        failed = true;
        log(request, [&] {
            return std::vector<std::string>{"cannot change mount namespace according to change " +
                                            std::string(reconcile::action_name(o.change->action)) +
                                            " (" + o.change->entry.to_string() + "): " + o.detail};
        });
    }
    if (result->fatal) {
        for (const auto& o : result->outcomes) {
            if (o.status == reconcile::Status::Failed)
                throw std::runtime_error(o.detail);
        }
    }
    return failed ? kExitFailed : kExitOk;
}

}  // namespace nsr::cmd
