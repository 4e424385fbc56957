package dev.asyncjobs.reliability.child;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Reads a child's standard input line by line on a daemon thread. End of input means the test JVM
 * is gone (it holds the other end of the pipe): the child halts at once, so that no child outlives
 * its test, even one that was itself killed.
 */
final class StdinCommands {
  private StdinCommands() {}

  static void listen(Consumer<String> onLine) {
    Thread t = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          onLine.accept(line.trim());
        }
      } catch (IOException e) {
        // treated as end of input
      }
      Runtime.getRuntime().halt(3);
    }, "stdin-commands");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Prints {@code readyLine}, then waits for the input line {@code STOP}: the handshake of the
   * worker processes (end of input halts, as for every listener).
   */
  static void announceAndAwaitStop(String readyLine) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    listen(line -> {
      if (line.equals("STOP")) {
        stop.countDown();
      }
    });
    say(readyLine);
    stop.await();
  }

  /** Prints one protocol line to standard output (the test reads it). */
  static void say(String line) {
    synchronized (System.out) {
      System.out.println(line);
      System.out.flush();
    }
  }
}
