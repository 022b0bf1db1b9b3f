/**
 * Tensor values in plain Java memory ({@link org.tfrnn.tensors.NdValue}), their conversions to
 * and from native TensorFlow tensors (the caller closes what it gets), and NumPy's {@code .npy}
 * format for exchanging arrays with Python. The bottom of the package picture: every other package
 * may use it, and it uses only TensorFlow Java.
 */
package org.tfrnn.tensors;
