package dev.holdport.proxy.testing;

import java.util.concurrent.CountDownLatch;

/**
 * A backend as a separate OS process, for tests about processes (restart in place):
 * {@code java -cp <test classpath> dev.holdport.proxy.testing.BackendMain <port> <name>}.
 * Answers each request line with its name; prints "listening" once bound.
 */
public final class BackendMain {

    private BackendMain() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String name = args[1];
        Backend backend = Backend.start(port, Backend.namedAnswer(name));
        System.out.println("listening " + backend.port());
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
    }

    /** Starts one in a child JVM with this JVM's classpath. */
    public static Process spawn(int port, String name) throws java.io.IOException {
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(javaBin, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                BackendMain.class.getName(), String.valueOf(port), name)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

}
