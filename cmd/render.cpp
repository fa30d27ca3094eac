#include "cmd/render.hpp"

namespace nsr::cmd {

namespace {

std::string padded(std::string_view action) {
    std::string out(action);
    out.append(action.size() < 9 ? 9 - action.size() : 1, ' ');
    return out;
}

}  // namespace

std::string plan_text(const std::vector<PlannedChange>& changes) {
    std::string out;
    for (const auto& p : changes) {
        out += padded(reconcile::action_name(p.change.action));
        out += p.change.entry.to_string();
        if (p.change.replaces)
            out += "  (replaces " + p.change.replaces->to_string() + ")";
        if (!p.needed)
            out += "  (already done: " + p.reason + ")";
        out += '\n';
    }
    return out;
}

nlohmann::json plan_json(const std::vector<PlannedChange>& changes) {
    auto list = nlohmann::json::array();
    for (const auto& p : changes) {
        nlohmann::json c = {{"action", reconcile::action_name(p.change.action)},
                            {"entry", p.change.entry.to_string()}};
        if (p.change.replaces)
            c["replaces"] = p.change.replaces->to_string();
        c["needed"] = p.needed;
        c["reason"] = p.reason;
        list.push_back(std::move(c));
    }
    return {{"changes", list}};
}

std::string outcomes_text(const std::vector<reconcile::Outcome>& outcomes) {
    std::string out;
    for (const auto& o : outcomes) {
        for (const auto& s : o.synthesized)
            out += padded("mimic") + s.to_string() + "\n";
        out += padded(reconcile::action_name(o.change->action)) + o.change->entry.to_string();
        switch (o.status) {
            case reconcile::Status::Done:
                out += o.detail.empty() ? "  (done)" : "  (done: " + o.detail + ")";
                break;
            case reconcile::Status::AlreadyDone:
                out += "  (already done: " + o.detail + ")";
                break;
            case reconcile::Status::Skipped:
                out += "  (skipped: " + o.detail + ")";
                break;
            case reconcile::Status::Failed:
                out += "  (FAILED: " + o.detail + ")";
                break;
        }
        out += '\n';
    }
    return out;
}

nlohmann::json outcomes_json(const std::vector<reconcile::Outcome>& outcomes) {
    auto list = nlohmann::json::array();
    for (const auto& o : outcomes) {
        nlohmann::json c = {{"action", reconcile::action_name(o.change->action)},
                            {"entry", o.change->entry.to_string()}};
        if (o.change->replaces)
            c["replaces"] = o.change->replaces->to_string();
        c["outcome"] = reconcile::status_name(o.status);
        c["detail"] = o.detail;
        auto syn = nlohmann::json::array();
        for (const auto& s : o.synthesized)
            syn.push_back(s.to_string());
        c["synthesized"] = syn;
        list.push_back(std::move(c));
    }
    return {{"changes", list}};
}

}  // namespace nsr::cmd
