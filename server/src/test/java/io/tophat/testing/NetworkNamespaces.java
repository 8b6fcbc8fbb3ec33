package io.tophat.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hosts of their own on this machine: one network namespace per host, each with a veth into a bridge in the
 * root namespace, addresses {@code 10.77.S.10+i/24} and the bridge {@code 10.77.S.1} as gateway (S a subnet no
 * interface here uses). Needs Linux, root and {@code ip}; otherwise the test is skipped, saying why.
 * {@link #close} removes every namespace, link and address it made.
 */
public final class NetworkNamespaces implements AutoCloseable {
    private final int subnet;
    private final String bridge;
    private final List<String> namespaces = new ArrayList<>();

    private NetworkNamespaces(String tag, int subnet) {
        this.subnet = subnet;
        this.bridge = "thbr" + tag;
    }

    /** Makes {@code hosts} namespaces, or skips the test when this machine cannot. */
    public static NetworkNamespaces create(int hosts) throws Exception {
        String user = System.getProperty("user.name");
        String cannot = !System.getProperty("os.name").toLowerCase().contains("linux") ? "need Linux"
                : !"root".equals(user) ? "need root (the tests run as " + user + ")"
                : !hasIp() ? "need the ip command (iproute2)" : null;
        if (cannot != null) {
            String why = "several-hosts test SKIPPED (SeveralHostsIT): network namespaces " + cannot;
            SkipNotice.tell("network-namespaces", why);
            Assumptions.abort(why);
        }
        String used = output("ip", "-4", "addr");
        int subnet = 0;
        for (int tries = 0; tries < 50 && subnet == 0; tries++) {
            int s = ThreadLocalRandom.current().nextInt(1, 250);
            if (!used.contains("10.77." + s + ".")) {
                subnet = s;
            }
        }
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        NetworkNamespaces net = new NetworkNamespaces(tag, subnet);
        try {
            run(true, "ip", "link", "add", net.bridge, "type", "bridge");
            run(true, "ip", "addr", "add", net.bridgeAddress() + "/24", "dev", net.bridge);
            run(true, "ip", "link", "set", net.bridge, "up");
            for (int i = 0; i < hosts; i++) {
                String ns = "th" + tag + "h" + i;
                String outside = "thv" + tag + i;
                String inside = "thn" + tag + i;
                run(true, "ip", "netns", "add", ns);
                net.namespaces.add(ns);
                run(true, "ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
                run(true, "ip", "link", "set", outside, "master", net.bridge);
                run(true, "ip", "link", "set", outside, "up");
                run(true, "ip", "link", "set", inside, "netns", ns);
                run(true, "ip", "netns", "exec", ns, "ip", "addr", "add", net.address(i) + "/24", "dev", inside);
                run(true, "ip", "netns", "exec", ns, "ip", "link", "set", inside, "up");
                run(true, "ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
                run(true, "ip", "netns", "exec", ns, "ip", "route", "add", "default", "via", net.bridgeAddress());
            }
            return net;
        } catch (Exception | AssertionError e) {
            net.close();
            throw e;
        }
    }

    /** The root namespace's address on the bridge: what every host reaches this machine's services at. */
    public String bridgeAddress() {
        return "10.77." + subnet + ".1";
    }

    public String address(int host) {
        return "10.77." + subnet + "." + (10 + host);
    }

    public String namespace(int host) {
        return namespaces.get(host);
    }

    @Override
    public void close() {
        for (String ns : namespaces) {
            quietly("ip", "netns", "del", ns); // takes its end of the veth, and so the other end, with it
        }
        quietly("ip", "link", "del", bridge);
    }

    private static void quietly(String... command) {
        try {
            run(false, command);
        } catch (Exception e) {
            // best effort at cleanup; the names carry a random tag, so a leftover does not clash
        }
    }

    private static boolean hasIp() throws InterruptedException {
        try {
            return run(false, "ip", "-V") == 0;
        } catch (IOException e) {
            return false; // not on the PATH
        }
    }

    private static int run(boolean required, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        if (required && p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out.strip());
        }
        return p.exitValue();
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }
}
