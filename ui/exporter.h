// Exporter: what File > Save / Export write, as plain functions the menu calls and tests check:
// the trace (.sktrace), Chrome/Perfetto JSON, one pcap per interface, and a panel as PNG or SVG.
// Each returns "" on success or a message naming the file and the problem.
#pragma once
#include <QString>
#include <QStringList>

#include "ui/tracedocument.h"

class QWidget;

namespace skbscope::ui {

QString saveTraceFile(const TraceDocument& doc, const QString& path);
QString exportChromeJson(const TraceDocument& doc, const QString& path);
// Writes DIR/<host>_<dev>.pcap for every interface with frames on the wire; *written lists them.
QString exportLinkPcaps(const TraceDocument& doc, const QString& dir, QStringList* written);
// PNG (grab) or SVG (the widget painted into QSvgGenerator), chosen by the file's suffix.
QString exportWidgetImage(QWidget* widget, const QString& path);

} // namespace skbscope::ui
