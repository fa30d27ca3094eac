#include "tests/integration/report.hpp"

#include <nlohmann/json.hpp>

namespace nsr::integration {

std::vector<ChangeReport> parse_report(const std::string& json_text) {
    const auto doc = nlohmann::json::parse(json_text);
    std::vector<ChangeReport> changes;
    for (const auto& c : doc.at("changes")) {
        changes.push_back({c.at("action").get<std::string>(), c.at("entry").get<std::string>(),
                           c.at("outcome").get<std::string>(), c.at("detail").get<std::string>(),
                           c.at("synthesized").get<std::vector<std::string>>()});
    }
    return changes;
}

std::string fstab(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& l : lines)
        text += l + "\n";
    return text;
}

}  // namespace nsr::integration
