// The layer palette: one fixed colour per layer of layers.def, top of the stack warm, the middle
// (tcp/udp/ip) green and blue, the device side violet and grey. A layer added to layers.def later
// gets a generated hue until someone picks it a colour here.
#include "ui/layercolors.h"

namespace skbscope::ui {

QColor layerColor(Layer layer) {
    switch (layer) {
    case Layer::User:
        return QColor(0xff, 0xc8, 0x7a); // orange: the program
    case Layer::Libc:
        return QColor(0xff, 0xe0, 0x8a); // yellow: glibc
    case Layer::Syscall:
        return QColor(0xf4, 0xa6, 0xa6); // red: the kernel boundary
    case Layer::Socket:
        return QColor(0xf2, 0xb5, 0xd9); // pink
    case Layer::Tcp:
        return QColor(0x9c, 0xd8, 0x9c); // green
    case Layer::Udp:
        return QColor(0xc4, 0xe6, 0x8c); // yellow-green
    case Layer::Icmp:
        return QColor(0x8c, 0xdc, 0xc4); // teal
    case Layer::Ipv4:
        return QColor(0x9c, 0xc8, 0xf0); // blue
    case Layer::Netfilter:
        return QColor(0xb8, 0xb8, 0xf4); // lavender
    case Layer::Neigh:
        return QColor(0x8c, 0xd4, 0xe8); // cyan
    case Layer::Dev:
        return QColor(0xc8, 0xb0, 0xe8); // violet
    case Layer::Qdisc:
        return QColor(0xe0, 0xb8, 0xf0); // light purple
    case Layer::Softirq:
        return QColor(0xd8, 0xc8, 0xa8); // sand
    case Layer::Mem:
        return QColor(0xe8, 0xd0, 0xc0); // skin: sk_buff memory
    case Layer::Timer:
        return QColor(0xd0, 0xe0, 0xb0); // olive
    case Layer::Driver:
        return QColor(0xb8, 0xc8, 0xd8); // steel
    case Layer::Nic:
        return QColor(0xa8, 0xb4, 0xc4); // slate: hardware
    case Layer::Link:
        return QColor(0xc0, 0xc0, 0xc0); // grey: the wire
    case Layer::Lab:
        return QColor(0xe0, 0xe0, 0xe0); // light grey
    default:
        return QColor::fromHsv((int(layer) * 47) % 360, 70, 240);
    }
}

QColor layerOutlineColor(Layer layer) {
    return layerColor(layer).darker(170);
}

} // namespace skbscope::ui
