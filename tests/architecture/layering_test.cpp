// Fails when the layering of DESIGN.md / STYLE.md breaks: a Qt header outside ui/ and app/gui/,
// stack including nic or back, the driver including the device model or back, core including
// anything above it, ui reaching into stack/nic internals, a global include_directories().
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/paths.h"

namespace fs = std::filesystem;

namespace {

struct Include {
    std::string file;
    int line;
    std::string target;
};

std::vector<Include> includes_under(const std::string& dir) {
    std::vector<Include> out;
    fs::path root = fs::path(skbscope::test::source_dir()) / dir;
    if (!fs::exists(root)) return out;
    static const std::regex inc(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
    for (auto& e : fs::recursive_directory_iterator(root)) {
        auto ext = e.path().extension().string();
        if (!e.is_regular_file() || (ext != ".h" && ext != ".cpp" && ext != ".hpp")) continue;
        std::ifstream in(e.path());
        std::string line;
        int n = 0;
        while (std::getline(in, line)) {
            ++n;
            std::smatch m;
            if (std::regex_search(line, m, inc)) out.push_back({e.path().string(), n, m[1]});
        }
    }
    return out;
}

bool is_qt(const std::string& t) {
    return (t.size() > 1 && t[0] == 'Q' && std::isupper(static_cast<unsigned char>(t[1]))) || t.rfind("Qt", 0) == 0 ||
           t.rfind("qt", 0) == 0;
}

std::string violations(const std::string& dir, const std::function<bool(const std::string&)>& forbidden) {
    std::string v;
    for (auto& i : includes_under(dir))
        if (forbidden(i.target)) v += i.file + ":" + std::to_string(i.line) + ": includes " + i.target + "\n";
    return v;
}

bool starts(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

} // namespace

TEST(Architecture, QtOnlyInUiAndGui) {
    for (const char* dir : {"core", "stack", "nic", "app/lab", "app/cli"})
        EXPECT_EQ(violations(dir, is_qt), "") << dir << " must not see Qt";
}

TEST(Architecture, CoreDependsOnNothingAbove) {
    EXPECT_EQ(violations("core", [](const std::string& t) {
                  return starts(t, "stack/") || starts(t, "nic/") || starts(t, "app/") || starts(t, "ui/");
              }),
              "");
}

TEST(Architecture, StackAndNicNeverIncludeEachOther) {
    EXPECT_EQ(violations("stack", [](const std::string& t) { return starts(t, "nic/") || starts(t, "app/") || starts(t, "ui/"); }), "");
    EXPECT_EQ(violations("nic", [](const std::string& t) { return starts(t, "stack/") || starts(t, "app/") || starts(t, "ui/"); }), "");
}

TEST(Architecture, DriverAndDeviceMeetOnlyThroughCoreSeams) {
    EXPECT_EQ(violations("nic/driver", [](const std::string& t) { return starts(t, "nic/device/") || starts(t, "nic/link/"); }), "");
    EXPECT_EQ(violations("nic/device", [](const std::string& t) { return starts(t, "nic/driver/"); }), "");
    EXPECT_EQ(violations("nic/link", [](const std::string& t) { return starts(t, "nic/driver/") || starts(t, "nic/device/"); }), "");
}

TEST(Architecture, UiReadsTheTraceApiAndTheLabControlOnly) {
    EXPECT_EQ(violations("ui", [](const std::string& t) {
                  return starts(t, "stack/") || starts(t, "nic/") || starts(t, "core/skb/") || starts(t, "core/hw/") ||
                         starts(t, "core/netdev/");
              }),
              "");
}

TEST(Architecture, LabAndCliDoNotReachIntoUi) {
    EXPECT_EQ(violations("app/lab", [](const std::string& t) { return starts(t, "ui/") || starts(t, "app/cli/"); }), "");
    EXPECT_EQ(violations("app/cli", [](const std::string& t) { return starts(t, "ui/") || starts(t, "stack/") || starts(t, "nic/"); }), "");
}

// Qt Charts is deprecated from Qt 6.10 on (STYLE.md "Qt"): its headers stay inside ui/charts/, behind
// the one charts widget, so it can be replaced there. Matches <QtCharts/...>, <QtCharts>, the
// class headers (<QChart>, <QLineSeries>, ...) and their lower-case forms (<qchart.h>).
static bool is_qt_charts(const std::string& t) {
    static const std::regex charts(
        R"(^(QtCharts(/.*)?|QChart|QChartView|QPolarChart|QChartGlobal|QLegend|QLegendMarker|Q\w*LegendMarker|)"
        R"(QAbstractSeries|QXYSeries|QLineSeries|QSplineSeries|QScatterSeries|QAreaSeries|Q\w*BarSeries|)"
        R"(QBarSet|QPieSeries|QPieSlice|QBoxPlotSeries|QBoxSet|QCandlestickSeries|QCandlestickSet|)"
        R"(QAbstractAxis|QValueAxis|QLogValueAxis|QCategoryAxis|QBarCategoryAxis|QDateTimeAxis|QColorAxis|)"
        R"(Q\w*ModelMapper)(\.h)?$)",
        std::regex::icase);
    return std::regex_match(t, charts);
}

TEST(Architecture, QtChartsOnlyInUiCharts) {
    EXPECT_TRUE(is_qt_charts("QChartView") && is_qt_charts("QtCharts/QLineSeries") &&
                is_qt_charts("qvalueaxis.h") && is_qt_charts("QHorizontalStackedBarSeries") &&
                !is_qt_charts("QChartsPanel") && !is_qt_charts("QPainter") &&
                !is_qt_charts("QAbstractItemModel"))
        << "the matcher itself";
    // tests/ui may look inside the charts widget it tests (tst_queuescharts reads its QChart).
    for (const char* dir : {"core", "stack", "nic", "app", "bench", "tests/core", "tests/stack", "tests/nic",
                            "tests/lab", "tests/cli", "tests/support"})
        EXPECT_EQ(violations(dir, is_qt_charts), "") << dir << " must not see Qt Charts";
    std::string outside;
    for (auto& i : includes_under("ui"))
        if (is_qt_charts(i.target) && i.file.find("/ui/charts/") == std::string::npos)
            outside += i.file + ":" + std::to_string(i.line) + ": includes " + i.target + "\n";
    EXPECT_EQ(outside, "") << "Qt Charts belongs in ui/charts/ only";
    // Not vacuous: when the GUI sources are here, the charts widget does use Qt Charts.
    if (fs::exists(fs::path(skbscope::test::source_dir()) / "ui/charts")) {
        size_t in_charts = 0;
        for (auto& i : includes_under("ui/charts"))
            in_charts += is_qt_charts(i.target);
        EXPECT_GT(in_charts, 0u) << "no Qt Charts header found in ui/charts: the matcher is broken";
    }
}

TEST(Architecture, NoGlobalIncludeDirectories) {
    std::string v;
    for (auto& e : fs::recursive_directory_iterator(skbscope::test::source_dir())) {
        if (e.path().filename() != "CMakeLists.txt") continue;
        auto rel = fs::relative(e.path(), skbscope::test::source_dir()).string();
        if (starts(rel, "build")) continue;
        std::ifstream in(e.path());
        std::string line;
        while (std::getline(in, line))
            if (line.find("include_directories(") != std::string::npos && line.find("target_include") == std::string::npos)
                v += rel + ": " + line + "\n";
    }
    EXPECT_EQ(v, "");
}

TEST(Architecture, TheCheckSeesTheTree) {
    // Guards the other tests against passing vacuously on a wrong source dir.
    EXPECT_GT(includes_under("core").size(), 20u);
    EXPECT_GT(includes_under("stack").size() + includes_under("nic").size(), 0u);
}
