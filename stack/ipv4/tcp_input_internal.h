// The parts of tcp_input.c that its two halves share (tcp_input.cpp, tcp_rcv_state.cpp).
#pragma once
#include <cstdint>

#include "core/skb/skbuff.h"
#include "stack/ipv4/tcp.h"

namespace skbscope {

class Host;

inline uint16_t tcp_raw_window(const SkBuff* skb) {
    const uint8_t* th = skb->transport_ptr();
    return static_cast<uint16_t>((th[14] << 8) | th[15]);
}
int tcp_ack(Host& host, TcpSock* sk, SkBuff* skb, bool slowpath);
void tcp_data_queue(Host& host, TcpSock* sk, SkBuff* skb);
void tcp_ack_snd_check(Host& host, TcpSock* sk);
void tcp_data_snd_check(Host& host, TcpSock* sk);
bool tcp_validate_incoming(Host& host, TcpSock* sk, SkBuff* skb, const TcpOptionsReceived& opt);
// Simultaneous open: our SYN again from the rtx queue, now with ACK (tcp_output.c).
int tcp_send_synack(Host& host, TcpSock* sk);

} // namespace skbscope
