//! The packet log: an NFLOG listener (netlink, per network namespace) for
//! the group the `egress` chain logs to.

use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
use netlink_packet_netfilter::nflog::{
    ConfigCmd, ConfigMode, ConfigNla, PacketNla, Timeout, ULogMessage, config_request,
};
use netlink_packet_netfilter::{NetfilterMessage, NetfilterMessageInner, NetfilterProtoFamily};
use netlink_sys::{Socket, protocols::NETLINK_NETFILTER};

use crate::packet::{PacketInfo, parse_ip};

/// A bound NFLOG listener.
#[derive(Debug)]
pub struct Listener {
    socket: Socket,
}

fn send_config(
    socket: &Socket,
    family: NetfilterProtoFamily,
    group: u16,
    nlas: Vec<ConfigNla>,
) -> Result<(), String> {
    let packet = config_request(family, group, nlas);
    let mut buf = vec![0; packet.header.length as usize];
    if buf.len() != packet.buffer_len() {
        return Err("netlink message size mismatch".into());
    }
    packet.serialize(&mut buf[..]);
    socket
        .send(&buf[..], 0)
        .map_err(|e| format!("netlink send: {e}"))?;
    let mut reply = vec![0; 4096];
    let size = socket
        .recv(&mut &mut reply[..], 0)
        .map_err(|e| format!("netlink recv: {e}"))?;
    let message = <NetlinkMessage<NetfilterMessage>>::deserialize(&reply[..size])
        .map_err(|e| format!("netlink reply: {e}"))?;
    match message.payload {
        NetlinkPayload::Error(error) if error.code.is_some() => {
            Err(format!("the kernel refused the NFLOG binding: {error:?}"))
        }
        _ => Ok(()),
    }
}

impl Listener {
    /// Bind to `group` (the kernel keeps one listener per group and
    /// namespace; a second one is refused).
    pub fn open(group: u16) -> Result<Listener, String> {
        let mut socket =
            Socket::new(NETLINK_NETFILTER).map_err(|e| format!("netlink socket: {e}"))?;
        socket
            .bind_auto()
            .map_err(|e| format!("netlink bind: {e}"))?;
        send_config(
            &socket,
            NetfilterProtoFamily::Unspec,
            group,
            vec![
                ConfigCmd::Bind.into(),
                ConfigMode::new_packet(128).into(),
                // Deliver each packet at once, not in batches of 100 or
                // once a second (the kernel's defaults): `smoke` looks for
                // the block right after its connection fails.
                ConfigNla::QThresh(1),
                Timeout::from(std::time::Duration::from_millis(10)).into(),
            ],
        )?;
        Ok(Listener { socket })
    }

    /// Receive packets forever, calling `on_packet(prefix, packet, uid,
    /// forwarded)` for each.
    pub fn run(self, mut on_packet: impl FnMut(&str, PacketInfo, Option<u32>, bool)) {
        let mut buf = vec![0u8; 65536];
        loop {
            let Ok(size) = self.socket.recv(&mut &mut buf[..], 0) else {
                continue;
            };
            let mut offset = 0;
            while offset < size {
                let Ok(message) =
                    <NetlinkMessage<NetfilterMessage>>::deserialize(&buf[offset..size])
                else {
                    break;
                };
                let length = message.header.length as usize;
                if let NetlinkPayload::InnerMessage(NetfilterMessage {
                    inner: NetfilterMessageInner::ULog(ULogMessage::Packet(nlas)),
                    ..
                }) = &message.payload
                {
                    let mut prefix = String::new();
                    let mut info = None;
                    let mut uid = None;
                    let mut indev = false;
                    let mut outdev = false;
                    for nla in nlas {
                        match nla {
                            PacketNla::Prefix(p) => prefix = p.to_string_lossy().into_owned(),
                            PacketNla::Payload(payload) => info = parse_ip(payload),
                            PacketNla::Uid(u) => uid = Some(*u),
                            PacketNla::IfIndexInDev(_) => indev = true,
                            PacketNla::IfIndexOutDev(_) => outdev = true,
                            _ => {}
                        }
                    }
                    if let Some(info) = info {
                        on_packet(&prefix, info, uid, indev && outdev);
                    }
                }
                if length == 0 {
                    break;
                }
                offset += length;
            }
        }
    }
}
