#include "cmd/render.hpp"

namespace nsr::cmd {

std::string plan_text(const std::vector<PlannedChange>& changes) {
    std::string out;
    for (const auto& p : changes) {
        std::string action(reconcile::action_name(p.change.action));
        out += action;
        out.append(action.size() < 9 ? 9 - action.size() : 1, ' ');
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

}  // namespace nsr::cmd
