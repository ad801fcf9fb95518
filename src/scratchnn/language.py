"""The words of the learner's tools (``trace`` and ``check``), in English and in French, the
course's language.  The formulas themselves are the same in both."""

from __future__ import annotations

import re

__all__ = ["LANGUAGES", "words"]

LANGUAGES = ("en", "fr")

#: The formulas each check is named by: the same in every language.
FORMULAS = {
    "check_dz": "dz = da ⊙ f'(z)",
    "check_d_weights": "d_weights = dz · a_prevᵀ",
    "check_d_biases": "d_biases = dz",
    "check_da_prev": "da_prev = Wᵀ · dz",
    "check_update": "weights -= learning_rate · d_weights, biases -= learning_rate · "
                    "d_biases",
    "check_forward": "a = f(W · a_prev + b)",
    "check_loss": "loss = (1/N) Σ -(y log(ŷ) + (1 - y) log(1 - ŷ)), epoch 1",
    "check_daL": "daⁿ = (ŷ - y) / (ŷ (1 - ŷ))",
    "check_tf_shapes": "W1: [input_size, hidden_size], b1: [hidden_size], W2: [hidden_size, "
                       "output_size], b2: [output_size]",
    "check_tf_init": "W1, W2 ~ tf.random.normal(...), b1 = b2 = tf.zeros(...)",
    "check_tf_function": "@tf.function def train_step()",
    "check_tf_forward": "ŷ = sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)",
    "check_tf_loss": "loss = mean(-(y log(ŷ) + (1 - y) log(1 - ŷ)))",
    "check_tf_gradients": "tape.gradient(loss, [W1, b1, W2, b2]) = [dW1, db1, dW2, db2]",
    "check_tf_update": "W1.assign_sub(learning_rate * dW1), ..., "
                       "b2.assign_sub(learning_rate * db2)",
}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "step": "One training step of the {network} network on sample {index} of {dataset}: "
                "x = {x}, y = {y}, learning rate {learning_rate}",
        "forward": "Forward pass",
        "layer": "Layer {index}",
        "loss": "Loss",
        "colon": ":",
        "backward": "Backward pass",
        "update": "update",
        "right": "right",
        "wrong": "WRONG",
        "expected": "expected",
        "received": "received",
        "hint": "hint",
        "all_right": "All {count} checks are right: the code computes the formulas.",
        "some_wrong": "{wrong} of {count} checks are wrong; the first is {name}.",
        "crashed": "The code stopped with an error: {error}",
        "timeout": "The code did not finish within {seconds} s (an endless loop?).",
        "exit_import": "The file stopped the program as it was imported: SystemExit({code}), "
                       "from exit() or sys.exit(). The check imports your file: put the lines "
                       "that run it under if __name__ == \"__main__\":, or remove the call.",
        "exit_check": "The code stopped the program while it was checked: SystemExit({code}), "
                      "from exit() or sys.exit(). Layer and Perceptron must return, not end "
                      "the program.",
        "missing": "The file has no {name}: define it as in the course.",
        "hint_transposed": "the product looks transposed: d_weights = dz · a_prevᵀ, of shape "
                           "(n_neurons, n_inputs)",
        "hint_learning_rate": "the update does not use the learning rate: "
                              "weights -= learning_rate * d_weights",
        "hint_sign": "the sign is the other way round",
        "hint_updated_weights": "da_prev must use the weights from before the update: compute "
                                "it before changing them",
        "hint_scale": "the numbers are off by a constant factor",
        "hint_other": "compare the formula, term by term, with the course's",
        "check_fit": "fit: every sample, every epoch, the weights after training",
        "check_line": "the line 'Loss at epoch N: L.LLL'",
        "or": "or",
        "hint_tf_transposed": "a weight matrix is transposed: W1 = tf.Variable(tf.random.normal("
                              "[input_size, hidden_size])), samples as rows, X @ W1 + b1",
        "hint_tf_shapes": "shape the variables from input_size, hidden_size and output_size, "
                          "as the course does",
        "hint_tf_init_weights": "draw the weights from a normal distribution: "
                                "tf.Variable(tf.random.normal([input_size, hidden_size]))",
        "hint_tf_init_biases": "the biases start at zero: tf.Variable(tf.zeros([hidden_size]))",
        "hint_tf_function": "decorate train_step with @tf.function: TensorFlow turns it into "
                            "a graph",
        "hint_tf_hidden": "the hidden layer: hidden = tf.sigmoid(tf.matmul(X, W1) + b1)",
        "hint_tf_output": "the hidden layer is right, not the output layer: "
                          "tf.sigmoid(tf.matmul(hidden, W2) + b2)",
        "hint_tf_no_sigmoid": "apply the sigmoid in both layers: tf.sigmoid(tf.matmul(X, W1) + b1)",
        "hint_tf_loss": "the binary cross-entropy, averaged over the examples: "
                        "tf.reduce_mean(-(y * tf.math.log(y_hat) + (1 - y) * "
                        "tf.math.log(1 - y_hat)))",
        "hint_tf_gradient_order": "the gradients come back in the order of the variables: "
                                  "tape.gradient(loss, [W1, b1, W2, b2]) gives dW1, db1, dW2, "
                                  "db2, in that order",
        "hint_tf_no_gradients": "train_step keeps no list of gradients: gradients = "
                                "tape.gradient(loss, [W1, b1, W2, b2])",
        "hint_tf_learning_rate": "the update does not use the learning rate: "
                                 "W1.assign_sub(learning_rate * gradients[0])",
        "hint_tf_sign": "the update goes up the gradient: assign_sub(learning_rate * ...), "
                        "not assign_add",
        "check_fit_relu": "fit, ReLU hidden layer: relu(z) = max(0, z), relu'(z) = 1 if z > 0",
        "skipped": "The lines that train at the top level (lines {lines}) were not run: the "
                   "check builds and trains its own networks.",
        "utils": "There is no utils.py beside the file: from utils import ... read "
                 "scratchnn.utils (X_train, y_train, relu, sigmoid).",
        "follows": " (follows from the first wrong check above)",
        "error_at": "    at line {line} of your file, in {function}: {source}",
        "hint_missing_variable": "no variable {names} in backward: name it as the course does",
        "hint_derivative_of_a": "f' is applied to the activation a = f(z): use f'(z), "
                                "dz = da * activation.derivative(z)",
        "hint_layers_order": "fit walks the layers in the wrong order: backward starts at the "
                             "output layer, for layer in reversed(self.layers)",
        "hint_no_backward": "fit never calls the layers' backward",
        "hint_loss_not_averaged": "the loss is not divided by the number of examples N: "
                                  "print the average, loss / len(training_data)",
        "hint_loss_assigned": "the loss is assigned, not accumulated: loss += ... for each "
                              "example (and loss = 0 at the start of each epoch)",
        "hint_print_outside_loop": "one line is printed, after the last epoch: print inside "
                                   "the epoch loop, once per epoch",
        "hint_no_line": "fit prints no line 'Loss at epoch N: L.LLL'",
        "hint_format": "the line is not in the course's form: epochs from 1, three decimals, "
                       "print(f\"Loss at epoch {{epoch + 1}}: {{loss:.3f}}\")",
        "hint_relu": "the sigmoid network is right but not the ReLU one: relu(z) = max(0, z), "
                     "relu'(z) = 1 where z > 0, 0 elsewhere",
    },
    "fr": {
        "step": "Un pas d'entraînement du réseau {network} sur l'exemple {index} de {dataset} : "
                "x = {x}, y = {y}, taux d'apprentissage {learning_rate}",
        "forward": "Propagation avant",
        "layer": "Couche {index}",
        "loss": "Perte",
        "colon": " :",
        "backward": "Rétropropagation",
        "update": "mise à jour",
        "right": "juste",
        "wrong": "FAUX",
        "expected": "attendu",
        "received": "obtenu",
        "hint": "indice",
        "all_right": "Les {count} vérifications sont justes : le code calcule les formules.",
        "some_wrong": "{wrong} vérifications sur {count} sont fausses ; la première : {name}.",
        "crashed": "Le code s'est arrêté sur une erreur : {error}",
        "timeout": "Le code n'a pas fini en {seconds} s (une boucle sans fin ?).",
        "exit_import": "Le fichier a arrêté le programme pendant son import : "
                       "SystemExit({code}), venu de exit() ou de sys.exit(). La vérification "
                       "importe votre fichier : mettez les lignes qui le lancent sous "
                       "if __name__ == \"__main__\":, ou retirez l'appel.",
        "exit_check": "Le code a arrêté le programme pendant la vérification : "
                      "SystemExit({code}), venu de exit() ou de sys.exit(). Layer et "
                      "Perceptron doivent rendre la main, pas terminer le programme.",
        "missing": "Le fichier n'a pas de {name} : définissez-la comme dans le cours.",
        "hint_transposed": "le produit semble transposé : d_weights = dz · a_prevᵀ, de forme "
                           "(n_neurons, n_inputs)",
        "hint_learning_rate": "la mise à jour n'utilise pas le taux d'apprentissage : "
                              "weights -= learning_rate * d_weights",
        "hint_sign": "le signe est inversé",
        "hint_updated_weights": "da_prev doit utiliser les poids d'avant la mise à jour : "
                                "calculez-le avant de les changer",
        "hint_scale": "les nombres diffèrent d'un facteur constant",
        "hint_other": "comparez la formule, terme à terme, avec celle du cours",
        "check_fit": "fit : chaque exemple, chaque époque, les poids après l'entraînement",
        "check_line": "la ligne « Loss at epoch N: L.LLL »",
        "or": "ni",
        "hint_tf_transposed": "une matrice de poids est transposée : W1 = tf.Variable("
                              "tf.random.normal([input_size, hidden_size])), les exemples en "
                              "lignes, X @ W1 + b1",
        "hint_tf_shapes": "donnez aux variables les formes tirées de input_size, hidden_size et "
                          "output_size, comme le cours",
        "hint_tf_init_weights": "tirez les poids d'une loi normale : "
                                "tf.Variable(tf.random.normal([input_size, hidden_size]))",
        "hint_tf_init_biases": "les biais partent de zéro : tf.Variable(tf.zeros([hidden_size]))",
        "hint_tf_function": "décorez train_step avec @tf.function : TensorFlow en fait un graphe",
        "hint_tf_hidden": "la couche cachée : hidden = tf.sigmoid(tf.matmul(X, W1) + b1)",
        "hint_tf_output": "la couche cachée est juste, pas la couche de sortie : "
                          "tf.sigmoid(tf.matmul(hidden, W2) + b2)",
        "hint_tf_no_sigmoid": "appliquez la sigmoïde dans les deux couches : "
                              "tf.sigmoid(tf.matmul(X, W1) + b1)",
        "hint_tf_loss": "l'entropie croisée binaire, moyennée sur les exemples : "
                        "tf.reduce_mean(-(y * tf.math.log(y_hat) + (1 - y) * "
                        "tf.math.log(1 - y_hat)))",
        "hint_tf_gradient_order": "les gradients reviennent dans l'ordre des variables : "
                                  "tape.gradient(loss, [W1, b1, W2, b2]) donne dW1, db1, dW2, "
                                  "db2, dans cet ordre",
        "hint_tf_no_gradients": "train_step ne garde aucune liste de gradients : gradients = "
                                "tape.gradient(loss, [W1, b1, W2, b2])",
        "hint_tf_learning_rate": "la mise à jour n'utilise pas le taux d'apprentissage : "
                                 "W1.assign_sub(learning_rate * gradients[0])",
        "hint_tf_sign": "la mise à jour remonte le gradient : assign_sub(learning_rate * ...), "
                        "pas assign_add",
        "check_fit_relu": "fit, couche cachée ReLU : relu(z) = max(0, z), relu'(z) = 1 si "
                          "z > 0",
        "skipped": "Les lignes qui entraînent au niveau du module (lignes {lines}) n'ont pas "
                   "été exécutées : la vérification construit et entraîne ses propres réseaux.",
        "utils": "Il n'y a pas de utils.py à côté du fichier : from utils import ... a lu "
                 "scratchnn.utils (X_train, y_train, relu, sigmoid).",
        "follows": " (découle de la première vérification fausse ci-dessus)",
        "error_at": "    à la ligne {line} de votre fichier, dans {function} : {source}",
        "hint_missing_variable": "pas de variable {names} dans backward : nommez-la comme le "
                                 "cours",
        "hint_derivative_of_a": "f' est appliquée à l'activation a = f(z) : utilisez f'(z), "
                                "dz = da * activation.derivative(z)",
        "hint_layers_order": "fit parcourt les couches dans le mauvais ordre : la "
                             "rétropropagation part de la couche de sortie, "
                             "for layer in reversed(self.layers)",
        "hint_no_backward": "fit n'appelle jamais le backward des couches",
        "hint_loss_not_averaged": "la perte n'est pas divisée par le nombre d'exemples N : "
                                  "affichez la moyenne, loss / len(training_data)",
        "hint_loss_assigned": "la perte est affectée, pas accumulée : loss += ... pour chaque "
                              "exemple (et loss = 0 au début de chaque époque)",
        "hint_print_outside_loop": "une seule ligne est affichée, après la dernière époque : "
                                   "affichez dans la boucle des époques, une fois par époque",
        "hint_no_line": "fit n'affiche aucune ligne « Loss at epoch N: L.LLL »",
        "hint_format": "la ligne n'a pas la forme du cours : époques comptées à partir de 1, "
                       "trois décimales, print(f\"Loss at epoch {{epoch + 1}}: {{loss:.3f}}\")",
        "hint_relu": "le réseau à sigmoïde est juste, pas celui à ReLU : relu(z) = max(0, z), "
                     "relu'(z) = 1 là où z > 0, 0 ailleurs",
    },
}


#: French puts a non-breaking space before ``: ; ? !`` and inside ``« »``.
_FRENCH_SPACES = re.compile(r" ([:;?!»])|(«) ")


def _french_typography(phrase: str) -> str:
    return _FRENCH_SPACES.sub(lambda m: f"\u00a0{m[1]}" if m[1] else f"{m[2]}\u00a0", phrase)


def words(language: str) -> dict[str, str]:
    """The phrases of ``language`` ("en" or "fr"), and the formulas."""
    if language not in WORDS:
        raise ValueError(f"language must be one of {list(LANGUAGES)}, got {language!r}")
    phrases = WORDS[language]
    if language == "fr":
        phrases = {key: _french_typography(phrase) for key, phrase in phrases.items()}
    return {**FORMULAS, **phrases}
