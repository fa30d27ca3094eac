#include "cmd/render.hpp"

#include "cmd/json_text.hpp"

namespace nsr::cmd {

namespace {

// What every rendering of a change starts with.
nlohmann::json change_json(const reconcile::Change& change) {
    nlohmann::json c = {{"action", reconcile::action_name(change.action)}};
    put_text(c, "entry", change.entry.to_string());
    if (change.replaces)
        put_text(c, "replaces", change.replaces->to_string());
    return c;
}

}  // namespace

nlohmann::json plan_json(const std::vector<reconcile::PlannedChange>& changes) {
    auto list = nlohmann::json::array();
    for (const auto& p : changes) {
        nlohmann::json c = change_json(p.change);
        c["needed"] = p.needed;
        put_text(c, "reason", p.reason);
        list.push_back(std::move(c));
    }
    return {{"changes", list}};
}

nlohmann::json outcomes_json(const std::vector<reconcile::Outcome>& outcomes) {
    auto list = nlohmann::json::array();
    for (const auto& o : outcomes) {
        nlohmann::json c = change_json(*o.change);
        c["outcome"] = reconcile::status_name(o.status);
        put_text(c, "detail", o.detail);
        std::vector<std::string> syn;
        for (const auto& s : o.synthesized)
            syn.push_back(s.to_string());
        put_texts(c, "synthesized", syn);
        list.push_back(std::move(c));
    }
    return {{"changes", list}};
}

nlohmann::json drift_json(const reconcile::DriftReport& report) {
    auto items = nlohmann::json::array();
    for (const auto& d : report.items) {
        nlohmann::json j = {{"kind", reconcile::drift_type_name(d.type)}};
        put_text(j, "dir", d.dir);
        if (d.entry)
            put_text(j, "entry", d.entry->to_string());
        put_text(j, "detail", d.detail);
        items.push_back(std::move(j));
    }
    return {{"in_step", report.in_step()}, {"checked", report.checked}, {"drift", items}};
}

std::string action_column(std::string_view action) {
    std::string out(action);
    out.append(action.size() < 9 ? 9 - action.size() : 1, ' ');
    return out;
}

}  // namespace nsr::cmd
