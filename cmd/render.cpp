#include "cmd/render.hpp"

namespace nsr::cmd {

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
