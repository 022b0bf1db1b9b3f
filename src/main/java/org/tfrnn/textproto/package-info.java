/**
 * Configuration files in protobuf's text format, as TensorFlow Serving takes them (model config,
 * batching parameters, monitoring config): read into a message builder, with every failure one
 * line that names the file. It uses protobuf only; the packages that own each file's meaning
 * ({@code serve}, {@code batching}, {@code metrics}) use it.
 */
package org.tfrnn.textproto;
