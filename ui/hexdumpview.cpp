// HexDumpView: paints only the lines inside the exposed rectangle; geometry from HexDumpLayout.
#include "ui/hexdumpview.h"

#include <QFontDatabase>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>

#include <cmath>

namespace skbscope::ui {

QRectF HexDumpLayout::hexRect(size_t i) const {
    const size_t line = i / kBytesPerLine, col = size_t(hexColumnOf(i % kBytesPerLine));
    return QRectF(m_margin + double(col) * m_cw, m_margin + double(line) * m_lh, 2 * m_cw, m_lh);
}

QRectF HexDumpLayout::asciiRect(size_t i) const {
    const size_t line = i / kBytesPerLine, col = size_t(kAsciiColumn) + i % kBytesPerLine;
    return QRectF(m_margin + double(col) * m_cw, m_margin + double(line) * m_lh, m_cw, m_lh);
}

std::optional<size_t> HexDumpLayout::byteAt(QPointF p) const {
    if (p.x() < m_margin || p.y() < m_margin || m_cw <= 0 || m_lh <= 0) return std::nullopt;
    const auto line = size_t((p.y() - m_margin) / m_lh);
    const int col = int(std::floor((p.x() - m_margin) / m_cw));
    std::optional<size_t> inLine;
    if (col >= kAsciiColumn && col < kAsciiColumn + kBytesPerLine) {
        inLine = size_t(col - kAsciiColumn);
    } else {
        for (int b = 0; b < kBytesPerLine; ++b)
            if (col >= hexColumnOf(size_t(b)) && col < hexColumnOf(size_t(b)) + 2) inLine = size_t(b);
    }
    if (!inLine) return std::nullopt;
    const size_t i = line * kBytesPerLine + *inLine;
    return i < m_count ? std::optional<size_t>(i) : std::nullopt;
}

QSizeF HexDumpLayout::size() const {
    return QSizeF(2 * m_margin + (kAsciiColumn + kBytesPerLine) * m_cw, 2 * m_margin + lineCount() * m_lh);
}

HexDumpView::HexDumpView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("hexDump"));
    QFont f = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    f.setPointSize(font().pointSize());
    setFont(f);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

QColor HexDumpView::highlightColor() {
    return QColor(0x0b, 0x4f, 0x9c); // the classroom style's selection blue
}

HexDumpLayout HexDumpView::layout() const {
    const QFontMetricsF fm(font());
    return HexDumpLayout(fm.horizontalAdvance(QLatin1Char('0')), fm.height() + 2, m_bytes.size());
}

void HexDumpView::setBytes(std::vector<uint8_t> bytes) {
    m_bytes = std::move(bytes);
    m_hlOffset = m_hlLength = 0;
    m_buildOffset = m_buildLength = 0;
    updateGeometry();
    update();
}

void HexDumpView::setHighlight(size_t offset, size_t length) {
    m_hlOffset = offset;
    m_hlLength = length;
    update();
}

void HexDumpView::setBuildingRange(size_t offset, size_t length) {
    m_buildOffset = offset;
    m_buildLength = length;
    update();
}

QSize HexDumpView::sizeHint() const {
    return layout().size().toSize();
}

void HexDumpView::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    const HexDumpLayout l = layout();
    const QFontMetricsF fm(font());
    const int first = std::max(0, int((event->rect().top() - l.margin()) / l.lineHeight()));
    const int last = std::min(l.lineCount() - 1, int((event->rect().bottom() - l.margin()) / l.lineHeight()));
    auto in = [](size_t i, size_t off, size_t len) { return i >= off && i - off < len; };
    static const char* const digits = "0123456789abcdef";
    for (int line = first; line <= last; ++line) {
        const double y = l.margin() + line * l.lineHeight();
        p.setPen(QColor(0x70, 0x70, 0x70));
        p.drawText(QPointF(l.margin(), y + fm.ascent() + 1),
                   QStringLiteral("%1").arg(line * HexDumpLayout::kBytesPerLine, 4, 16, QLatin1Char('0')));
        for (int b = 0; b < HexDumpLayout::kBytesPerLine; ++b) {
            const size_t i = size_t(line) * HexDumpLayout::kBytesPerLine + size_t(b);
            if (i >= m_bytes.size()) break;
            const QRectF hex = l.hexRect(i), ascii = l.asciiRect(i);
            const bool selected = in(i, m_hlOffset, m_hlLength);
            if (selected) {
                // Join the cells of a selection across the gap to the next byte of the same line.
                const bool joinNext =
                    b + 1 < HexDumpLayout::kBytesPerLine && in(i + 1, m_hlOffset, m_hlLength);
                p.fillRect(joinNext ? hex.adjusted(0, 0, l.charWidth() * (b == 7 ? 2 : 1), 0) : hex,
                           highlightColor());
                p.fillRect(ascii, highlightColor());
            } else if (in(i, m_buildOffset, m_buildLength)) {
                p.fillRect(hex, QColor(0xf8, 0xd7, 0xd7));
                p.fillRect(ascii, QColor(0xf8, 0xd7, 0xd7));
            }
            p.setPen(selected ? Qt::white : Qt::black);
            const uint8_t v = m_bytes[i];
            const QChar text[2] = {QLatin1Char(digits[v >> 4]), QLatin1Char(digits[v & 0xf])};
            p.drawText(QPointF(hex.left(), y + fm.ascent() + 1), QString(text, 2));
            p.drawText(QPointF(ascii.left(), y + fm.ascent() + 1),
                       QString(v >= 0x20 && v < 0x7f ? QLatin1Char(char(v)) : QLatin1Char('.')));
        }
    }
}

void HexDumpView::mousePressEvent(QMouseEvent* event) {
    if (const auto i = layout().byteAt(event->position())) emit byteClicked(int(*i));
    QWidget::mousePressEvent(event);
}

} // namespace skbscope::ui
