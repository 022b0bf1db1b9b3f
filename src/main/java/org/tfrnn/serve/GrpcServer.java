package org.tfrnn.serve;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * TensorFlow Serving's gRPC API ({@code tensorflow.serving.PredictionService} and
 * {@code ModelService}, TensorFlow Serving's port 8500) in front of the models of a running
 * {@link ModelServer}, beside its REST API:
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.start(config);
 *     GrpcServer grpc = GrpcServer.start(server, 8500)) {
 *   server.awaitStop();
 * }
 * }</pre>
 *
 * Stop it before the model server: {@link #stop()} refuses new calls and lets those in flight
 * finish (up to the model server's shutdown grace).
 */
public final class GrpcServer implements AutoCloseable {
  private final Server server;
  private final ExecutorService callThreads;
  private final ServerConfig config;

  private GrpcServer(Server server, ExecutorService callThreads, ServerConfig config) {
    this.server = server;
    this.callThreads = callThreads;
    this.config = config;
  }

  /**
   * Binds {@code port} (0 for any free one) on the model server's host and starts answering.
   *
   * @throws IOException if the address cannot be bound
   */
  public static GrpcServer start(ModelServer models, int port) throws IOException {
    ServerConfig config = models.config();
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("gRPC port must be 0..65535, got " + port);
    }
    ExecutorService callThreads = Executors.newFixedThreadPool(config.threads(),
        ModelServer.daemonThreads("serve-grpc-"));
    GrpcCalls calls = new GrpcCalls(models.listener(), models.metrics());
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), port))
        .executor(callThreads)
        .maxInboundMessageSize((int) config.maxRequestBytes())
        .addService(new GrpcPredictionService(models.models(), calls, models.metrics()))
        .addService(new GrpcModelService(models.models(), models::reloadModels, calls))
        .build();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      callThreads.shutdownNow();
      throw new IOException("cannot listen for gRPC on " + config.host() + ":" + port + ": "
          + e.getMessage(), e);
    }
    return new GrpcServer(server, callThreads, config);
  }

  /** The port bound (the ephemeral one chosen if 0 was asked). */
  public int port() {
    return server.getPort();
  }

  /** Refuses new calls, waits for those in flight (up to the shutdown grace), then stops. */
  public void stop() {
    server.shutdown();
    boolean interrupted = false;
    try {
      long grace = config.shutdownGrace().toMillis();
      if (!server.awaitTermination(grace, TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      interrupted = true;
    }
    callThreads.shutdown();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
