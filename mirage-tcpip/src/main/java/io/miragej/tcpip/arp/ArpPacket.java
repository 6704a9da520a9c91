package io.miragej.tcpip.arp;

import io.miragej.buffer.PacketBuffer;
import io.miragej.tcpip.ethernet.EthernetFrame;

/**
 * A flyweight over an ARP packet for IPv4 over Ethernet (RFC 826): hardware type 1, protocol type
 * 0x0800, address lengths 6 and 4. Offsets are relative to where {@link #wrap} pointed it.
 */
public final class ArpPacket {
    public static final int LENGTH = 28;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;

    private PacketBuffer buf;
    private int at;

    public void wrap(PacketBuffer b, int offset) {
        this.buf = b;
        this.at = offset;
    }

    public int hardwareType() {
        return buf.getU16(at);
    }

    public int protocolType() {
        return buf.getU16(at + 2);
    }

    public int hardwareLength() {
        return buf.getU8(at + 4);
    }

    public int protocolLength() {
        return buf.getU8(at + 5);
    }

    public int operation() {
        return buf.getU16(at + 6);
    }

    public long senderMac() {
        return EthernetFrame.readMac(buf, at + 8);
    }

    public int senderIp() {
        return buf.getI32(at + 14);
    }

    public long targetMac() {
        return EthernetFrame.readMac(buf, at + 18);
    }

    public int targetIp() {
        return buf.getI32(at + 24);
    }

    /** True when the fixed fields say IPv4 over Ethernet and the operation is known. */
    public boolean isEthernetIpv4() {
        return hardwareType() == 1 && protocolType() == EthernetFrame.TYPE_IPV4 && hardwareLength() == 6
                && protocolLength() == 4 && (operation() == REQUEST || operation() == REPLY);
    }

    /** Writes a whole ARP packet at index 0 of {@code b}, which must hold at least 28 bytes. */
    public static void write(PacketBuffer b, int operation, long senderMac, int senderIp, long targetMac,
            int targetIp) {
        b.setU16(0, 1).setU16(2, EthernetFrame.TYPE_IPV4).setU8(4, 6).setU8(5, 4).setU16(6, operation);
        EthernetFrame.writeMac(b, 8, senderMac);
        b.setI32(14, senderIp);
        EthernetFrame.writeMac(b, 18, targetMac);
        b.setI32(24, targetIp);
    }
}
