#include "cmd/render.hpp"

namespace nsr::cmd {

std::string action_column(std::string_view action) {
    std::string out(action);
    out.append(action.size() < 9 ? 9 - action.size() : 1, ' ');
    return out;
}

std::string plan_text(const std::vector<reconcile::PlannedChange>& changes) {
    std::string out;
    for (const auto& p : changes) {
        out += action_column(reconcile::action_name(p.change.action));
        out += p.change.entry.to_string();
        if (p.change.replaces)
            out += "  (replaces " + p.change.replaces->to_string() + ")";
        if (!p.needed)
            out += "  (already done: " + p.reason + ")";
        out += '\n';
    }
    return out;
}

nlohmann::json plan_json(const std::vector<reconcile::PlannedChange>& changes) {
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
            out += action_column("mimic") + s.to_string() + "\n";
        out += action_column(reconcile::action_name(o.change.action)) + o.change.entry.to_string();
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
        nlohmann::json c = {{"action", reconcile::action_name(o.change.action)},
                            {"entry", o.change.entry.to_string()}};
        if (o.change.replaces)
            c["replaces"] = o.change.replaces->to_string();
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

std::string drift_text(const reconcile::DriftReport& report) {
    std::string out;
    size_t counts[3] = {0, 0, 0};
    for (const auto& d : report.items) {
        ++counts[static_cast<int>(d.type)];
        std::string type(reconcile::drift_type_name(d.type));
        out += type + std::string(9 - type.size(), ' ') + d.dir;
        if (d.entry)
            out += "  (" + d.entry->to_string() + ")";
        out += ": " + d.detail + "\n";
    }
    if (report.in_step()) {
        out += "in step: " + std::to_string(report.checked) + " entries checked\n";
    } else {
        out += "drifted: " + std::to_string(counts[0]) + " missing, " + std::to_string(counts[1]) +
               " differ, " + std::to_string(counts[2]) + " extra (" +
               std::to_string(report.checked) + " entries checked)\n";
    }
    return out;
}

nlohmann::json drift_json(const reconcile::DriftReport& report) {
    auto items = nlohmann::json::array();
    for (const auto& d : report.items) {
        nlohmann::json j = {{"kind", reconcile::drift_type_name(d.type)}, {"dir", d.dir}};
        if (d.entry)
            j["entry"] = d.entry->to_string();
        j["detail"] = d.detail;
        items.push_back(std::move(j));
    }
    return {{"in_step", report.in_step()}, {"checked", report.checked}, {"drift", items}};
}

}  // namespace nsr::cmd
