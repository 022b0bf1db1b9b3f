/**
 * TensorFlow Serving's Prometheus metrics: the names, labels and histogram buckets its servers
 * export ({@code :tensorflow:serving:request_count}, {@code request_latency},
 * {@code runtime_latency}, the batching queue latency), kept with the Prometheus Java client and
 * written in the Prometheus text format; and the {@code --monitoring_config_file} that turns the
 * endpoint on (read through {@code textproto}). Front ends record into {@link
 * org.tfrnn.metrics.ServingMetrics}; nothing here serves HTTP.
 */
package org.tfrnn.metrics;
