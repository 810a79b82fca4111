package dev.holdport.proxy.testing;

import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.Transport;
import java.util.ArrayList;
import java.util.List;

/** The transports a test should cover here: NIO always, io_uring where this kernel allows it. */
public final class Transports {

    private Transports() {}

    public static List<TransportChoice> offered() {
        List<TransportChoice> list = new ArrayList<>();
        if (Transport.ioUringAvailable()) {
            list.add(TransportChoice.IO_URING);
        }
        list.add(TransportChoice.NIO);
        return list;
    }
}
