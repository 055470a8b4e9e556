// Exporter: core's writers for the trace formats; Qt's grab() and QSvgGenerator for panels.
#include "ui/exporter.h"

#include <QDir>
#include <QFileInfo>
#include <QPainter>
#include <QSvgGenerator>
#include <QWidget>

#include "core/trace/export_chrome.h"
#include "core/trace/export_pcap.h"
#include "core/trace/trace_file.h"

namespace skbscope::ui {

namespace {
QString message(const Result<void>& r) { return r ? QString() : QString::fromStdString(r.error().message); }
} // namespace

QString saveTraceFile(const TraceDocument& doc, const QString& path) {
    return message(save_trace(doc.trace(), path.toStdString()));
}

QString exportChromeJson(const TraceDocument& doc, const QString& path) {
    return message(export_chrome(doc.trace(), path.toStdString()));
}

QString exportLinkPcaps(const TraceDocument& doc, const QString& dir, QStringList* written) {
    if (!QDir().mkpath(dir)) return QStringLiteral("%1: cannot create the directory").arg(dir);
    for (const std::string& iface : trace_interfaces(doc.trace())) {
        QString file = QString::fromStdString(iface);
        file.replace(QLatin1Char(':'), QLatin1Char('_'));
        const QString path = QDir(dir).filePath(file + QStringLiteral(".pcap"));
        if (QString err = message(export_pcap(doc.trace(), iface, path.toStdString())); !err.isEmpty()) return err;
        if (written) *written << path;
    }
    return {};
}

QString exportWidgetImage(QWidget* widget, const QString& path) {
    if (!widget) return QStringLiteral("%1: no panel to export").arg(path);
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(widget->size());
        svg.setViewBox(widget->rect());
        svg.setTitle(widget->windowTitle().isEmpty() ? widget->objectName() : widget->windowTitle());
        svg.setDescription(QStringLiteral("skbscope panel"));
        QPainter painter;
        if (!painter.begin(&svg)) return QStringLiteral("%1: cannot write the SVG").arg(path);
        widget->render(&painter);
        painter.end();
        return QFileInfo(path).size() > 0 ? QString() : QStringLiteral("%1: cannot write the SVG").arg(path);
    }
    if (suffix != QLatin1String("png")) return QStringLiteral("%1: expected a .png or .svg file name").arg(path);
    return widget->grab().save(path, "PNG") ? QString() : QStringLiteral("%1: cannot write the PNG").arg(path);
}

} // namespace skbscope::ui
