"""Document A's solution with one slip: no learning rate."""

import tensorflow as tf

X = tf.constant([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=tf.float32)
y = tf.constant([[0], [1], [1], [0]], dtype=tf.float32)

input_size = 2
hidden_size = 2
output_size = 1
learning_rate = 0.1
epochs = 10000

W1 = tf.Variable(tf.random.normal([input_size, hidden_size]))
b1 = tf.Variable(tf.zeros([hidden_size]))
W2 = tf.Variable(tf.random.normal([hidden_size, output_size]))
b2 = tf.Variable(tf.zeros([output_size]))


@tf.function
def train_step():
    with tf.GradientTape() as tape:
        hidden = tf.sigmoid(tf.matmul(X, W1) + b1)
        output = tf.sigmoid(tf.matmul(hidden, W2) + b2)
        loss = tf.reduce_mean(-(y * tf.math.log(output) + (1 - y) * tf.math.log(1 - output)))
    gradients = tape.gradient(loss, [W1, b1, W2, b2])
    W1.assign_sub(gradients[0])
    b1.assign_sub(gradients[1])
    W2.assign_sub(gradients[2])
    b2.assign_sub(gradients[3])
    return loss


for epoch in range(epochs):
    loss = train_step()
    if epoch % 1000 == 0:
        print(f"Epoch {epoch}, loss: {loss.numpy():.4f}")
