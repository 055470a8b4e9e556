// HexDumpView: the bytes of the Packet panel as Wireshark's bytes pane shows them,
//   0000  45 00 00 3c 9c 4e 40 00  40 06 6e 07 c0 a8 01 64   E..<.N@.@.n....d
// with the bytes of the selected field highlighted (hex and ASCII); clicking a byte emits
// byteClicked. HexDumpLayout is the geometry (byte <-> rectangle), without a widget, for tests.
#pragma once
#include <QRectF>
#include <QWidget>

#include <optional>
#include <vector>

namespace skbscope::ui {

class HexDumpLayout final {
  public:
    static constexpr int kBytesPerLine = 16;
    static constexpr int kHexColumn = 6;    // "0000  "
    static constexpr int kAsciiColumn = 56; // after 16 "xx " cells, the mid-line gap and two spaces

    HexDumpLayout(double charWidth, double lineHeight, size_t byteCount, double margin = 4)
        : m_cw(charWidth), m_lh(lineHeight), m_count(byteCount), m_margin(margin) {}

    int lineCount() const { return int((m_count + kBytesPerLine - 1) / kBytesPerLine); }
    // The cell of byte i in the hex and in the ASCII column.
    QRectF hexRect(size_t i) const;
    QRectF asciiRect(size_t i) const;
    // The byte under a point (hex or ASCII cell), or nullopt.
    std::optional<size_t> byteAt(QPointF p) const;
    QSizeF size() const;
    double lineHeight() const { return m_lh; }
    double charWidth() const { return m_cw; }
    double margin() const { return m_margin; }

  private:
    static int hexColumnOf(size_t inLine) { return kHexColumn + 3 * int(inLine) + (inLine >= 8 ? 1 : 0); }

    double m_cw, m_lh;
    size_t m_count;
    double m_margin;
};

class HexDumpView final : public QWidget {
    Q_OBJECT
  public:
    explicit HexDumpView(QWidget* parent = nullptr);

    void setBytes(std::vector<uint8_t> bytes);
    const std::vector<uint8_t>& bytes() const { return m_bytes; }
    // Highlights [offset, offset + length); length 0 clears. A second, weaker highlight marks the
    // header being built.
    void setHighlight(size_t offset, size_t length);
    void setBuildingRange(size_t offset, size_t length);
    std::pair<size_t, size_t> highlight() const { return {m_hlOffset, m_hlLength}; }
    HexDumpLayout layout() const;

    static QColor highlightColor();

    QSize sizeHint() const override;

  signals:
    void byteClicked(int offset);

  protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

  private:
    std::vector<uint8_t> m_bytes;
    size_t m_hlOffset = 0, m_hlLength = 0;
    size_t m_buildOffset = 0, m_buildLength = 0;
};

} // namespace skbscope::ui
