"""Every word scratchnn says to a person, in English and in French, the course's language:
the learner's tools (``trace`` and ``check``), the command line and its errors, the diagnoses
of a training and the plots.  The formulas themselves are the same in both.

``say(key, **values)`` gives a phrase in the current language: English unless a command set
another (``scratchnn ... --lang fr``, or a French ``LC_ALL``, ``LC_MESSAGES`` or ``LANG``), or
the code runs inside ``with speaking("fr"):``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

__all__ = ["LANGUAGES", "LocalizedTypeError", "LocalizedValueError", "Phrase",
           "current_language", "language_of_environment", "say", "speaking",
           "translate_usage_error", "words"]

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
        "missing": "The file defines no {names}: define them as in the course (or "
                   "train_step and its tf.Variable, for the TensorFlow exercise).",
        "and_no": " and no ",
        "tf_no_variables": "The file has a train_step but no tf.Variable {missing}: name them "
                           "as the course does ({names}).",
        "tf_no_learning_rate": "The file has a train_step but no number learning_rate.",
        "ended_by_signal": "The check was ended by the signal {signal}, before its report.",
        "ended_with_status": "The check ended with exit status {status} and no report.",
        "hint_transposed": "the product looks transposed: d_weights = dz · a_prevᵀ, of shape "
                           "(n_neurons, n_inputs)",
        "hint_learning_rate": "the update does not use the learning rate: "
                              "weights -= learning_rate * d_weights",
        "hint_sign": "the sign is the other way round",
        "hint_updated_weights": "da_prev must use the weights from before the update: compute "
                                "it before changing them",
        "hint_scale": "the numbers are off by a constant factor",
        "hint_other": "compare the formula, term by term, with the course's",
        "check_loss": "loss = (1/N) Σ -(y log(ŷ) + (1 - y) log(1 - ŷ)), epoch 1",
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
        "crashed": "Le code s'est arrêté sur cette erreur de Python : {error}",
        "timeout": "Le code n'a pas fini en {seconds} s (une boucle sans fin ?).",
        "exit_import": "Le fichier a arrêté le programme pendant son import : "
                       "SystemExit({code}), venu de exit() ou de sys.exit(). La vérification "
                       "importe votre fichier : mettez les lignes qui le lancent sous "
                       "if __name__ == \"__main__\":, ou retirez l'appel.",
        "exit_check": "Le code a arrêté le programme pendant la vérification : "
                      "SystemExit({code}), venu de exit() ou de sys.exit(). Layer et "
                      "Perceptron doivent rendre la main, pas terminer le programme.",
        "missing": "Le fichier ne définit pas de {names} : définissez-les comme dans le cours "
                   "(ou train_step et ses tf.Variable, pour l'exercice TensorFlow).",
        "and_no": " ni de ",
        "tf_no_variables": "Le fichier a un train_step mais pas de tf.Variable {missing} : "
                           "nommez-les comme le cours ({names}).",
        "tf_no_learning_rate": "Le fichier a un train_step mais pas de nombre learning_rate.",
        "ended_by_signal": "La vérification a été arrêtée par le signal {signal}, avant son "
                           "rapport.",
        "ended_with_status": "La vérification s'est terminée avec le code de sortie {status}, "
                             "sans rapport.",
        "hint_transposed": "le produit semble transposé : d_weights = dz · a_prevᵀ, de forme "
                           "(n_neurons, n_inputs)",
        "hint_learning_rate": "la mise à jour n'utilise pas le taux d'apprentissage : "
                              "weights -= learning_rate * d_weights",
        "hint_sign": "le signe est inversé",
        "hint_updated_weights": "da_prev doit utiliser les poids d'avant la mise à jour : "
                                "calculez-le avant de les changer",
        "hint_scale": "les nombres diffèrent d'un facteur constant",
        "hint_other": "comparez la formule, terme à terme, avec celle du cours",
        "check_loss": "loss = (1/N) Σ -(y log(ŷ) + (1 - y) log(1 - ŷ)), époque 1",
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


#: The words of the command line, of the diagnoses and of the pictures: (English, French).
PHRASES: dict[str, tuple[str, str]] = {
    # -- the command line: its errors (one line on standard error) ---------------------------
    "error": ("scratchnn: error: {message}", "scratchnn : erreur : {message}"),
    "usage_error": ("{prog}: error: {message}", "{prog} : erreur : {message}"),
    "interrupted": ("scratchnn: interrupted{saved}", "scratchnn : interrompu{saved}"),
    "interrupted_saved": (": the model of the last complete update saved to {path}",
                          " : le modèle de la dernière mise à jour complète est enregistré "
                          "dans {path}"),
    "no_memory": ("not enough memory for this: try a smaller network (--hidden) or data set",
                  "pas assez de mémoire : essayez un réseau plus petit (--hidden) ou moins de "
                  "données"),
    "no_tensorflow": ("the tensorflow engine needs TensorFlow: pip install 'scratchnn[tf]'",
                      "le moteur tensorflow a besoin de TensorFlow : "
                      "pip install 'scratchnn[tf]'"),
    "no_matplotlib": ("pictures need matplotlib: pip install 'scratchnn[plot]'",
                      "les images ont besoin de matplotlib : pip install 'scratchnn[plot]'"),
    "no_web_server": ("the playground needs its web server: pip install "
                      "'scratchnn[playground]'",
                      "le terrain de jeu a besoin de son serveur web : pip install "
                      "'scratchnn[playground]'"),
    "missing_package": ("a package is missing: {message}",
                        "il manque un paquet Python : {message}"),
    "library_error": ("{message}", "{message}"),
    "no_file": ("{option}{path}: no such file", "{option}{path} : fichier introuvable"),
    "is_folder": ("{option}{path} is a folder, not a file",
                  "{option}{path} est un dossier, pas un fichier"),
    "could_not_read": ("could not read {path}: {reason}", "impossible de lire {path} : {reason}"),
    "could_not_write": ("could not write {path}: {reason}",
                        "impossible d'écrire {path} : {reason}"),
    "could_not_save": ("could not save the model to {path}: {reason}",
                       "impossible d'enregistrer le modèle dans {path} : {reason}"),
    "could_not_export": ("could not export to {path}: {reason}",
                         "impossible d'exporter vers {path} : {reason}"),
    "os_error": ("{reason}: {path}", "{reason} : {path}"),
    # The system's words for its errors (os.strerror's in English), by errno name.
    "ENOENT": ("No such file or directory", "fichier ou dossier introuvable"),
    "EACCES": ("Permission denied", "permission refusée"),
    "EISDIR": ("Is a directory", "c'est un dossier"),
    "ENOTDIR": ("Not a directory",
                "un élément du chemin n'est pas un dossier"),
    "ENOSPC": ("No space left on device", "plus de place sur le disque"),
    "EROFS": ("Read-only file system", "le système de fichiers est en lecture seule"),
    "EEXIST": ("File exists", "le fichier existe déjà"),
    "output_is_folder": ("{option} {path} is a folder; give a file name",
                         "{option} {path} est un dossier ; donnez un nom de fichier"),
    "output_no_folder": ("{option} {path}: the folder {folder} does not exist",
                         "{option} {path} : le dossier {folder} n'existe pas"),
    "output_is_input": ("{option} {path} is the input {other} {source}: writing it would "
                        "destroy it; give another name",
                        "{option} {path} est l'entrée {other} {source} : l'écrire la "
                        "détruirait ; donnez un autre nom"),
    "outputs_same": ("{option} and {other} are the same file {path}; give each its own",
                     "{option} et {other} sont le même fichier {path} ; donnez à chacun le "
                     "sien"),
    "the_model": ("the model", "le modèle"),
    "metavar_model": ("model", "modèle"),
    "metavar_solution": ("solution", "solution"),
    "positive_int": ("{option} must be a positive integer, got {value}",
                     "{option} doit être un entier positif, reçu : {value}"),
    "non_negative_int": ("{option} must be an integer >= 0, got {value}",
                         "{option} doit être un entier >= 0, reçu : {value}"),
    "between": ("{option} must be between {low} and {high}, got {value}",
                "{option} doit être entre {low} et {high}, reçu : {value}"),
    "batch_size": ("--batch-size must be a positive integer (or 0 for the whole set), "
                   "got {value}",
                   "--batch-size doit être un entier positif (ou 0 pour tout l'ensemble), "
                   "reçu : {value}"),
    "hidden_sizes": ("--hidden sizes must be positive integers, got {value}",
                     "les tailles de --hidden doivent être des entiers positifs, reçu : "
                     "{value}"),
    "learning_rate": ("--learning-rate must be a positive finite number, got {value}",
                      "--learning-rate doit être un nombre positif fini, reçu : {value}"),
    "devices": ("--devices takes a positive number or 'all', with --engine tensorflow; got "
                "--devices {devices} with --engine {engine}",
                "--devices prend un nombre positif ou 'all', avec --engine tensorflow ; reçu : "
                "--devices {devices} avec --engine {engine}"),
    "extension": ("{option} needs a file name with an extension such as .png, got {value!r}",
                  "{option} demande un nom de fichier avec une extension, comme .png, reçu : "
                  "{value!r}"),
    "animate_gif": ("--animate writes a GIF: give a file name ending in .gif, got {value!r}",
                    "--animate écrit un GIF : donnez un nom de fichier qui finit par .gif, "
                    "reçu : {value!r}"),
    "animate_2d": ("--animate draws the decision boundary of 2-D data; this data has "
                   "{count} features",
                   "--animate dessine la frontière de décision de données à 2 dimensions ; "
                   "ces données ont {count} variables"),
    "l2": ("--l2 must be a finite number >= 0, got {value}",
           "--l2 doit être un nombre fini >= 0, reçu : {value}"),
    "dropout": ("--dropout must be in [0, 1), got {value}",
                "--dropout doit être dans [0, 1), reçu : {value}"),
    "lbfgs_schedule": ("--schedule needs a learning rate; --optimizer lbfgs has none",
                       "--schedule demande un taux d'apprentissage ; --optimizer lbfgs n'en a "
                       "pas"),
    "go_with_data": ("{options} go with --data", "{options} vont avec --data"),
    "and": (" and ", " et "),
    "needs_target": ("--data needs --target: the labels' column (CSV) or file (.npy)",
                     "--data demande --target : la colonne des étiquettes (CSV) ou leur "
                     "fichier (.npy)"),
    "test_data_npy": ("--test-data takes a CSV or an .npz of X and y (an .npy has no labels)",
                      "--test-data prend un CSV ou un .npz de X et y (un .npy n'a pas "
                      "d'étiquettes)"),
    "test_data_shape": ("{path}: it must have the labels and the {count} features of --data",
                        "{path} : il lui faut les étiquettes et les {count} variables de "
                        "--data"),
    "unknown_labels": ("{path}: labels not in --data: {labels}",
                       "{path} : étiquettes absentes de --data : {labels}"),
    "one_class": ("{path}: the labels hold one class only ({label!r}); there is nothing to "
                  "learn",
                  "{path} : les étiquettes n'ont qu'une classe ({label!r}) ; il n'y a rien à "
                  "apprendre"),
    "few_rows": ("{path}: {classes} classes in {rows} rows, the class {label!r} has {count} "
                 "row(s): {hint}; if the target is a quantity, train a regressor with --task "
                 "regression",
                 "{path} : {classes} classes dans {rows} lignes, la classe {label!r} a {count} "
                 "ligne(s) : {hint} ; si la cible est une quantité, entraînez une régression "
                 "avec --task regression"),
    "few_rows_split": ("the test split needs at least {count} rows of each class (or give "
                       "--test-data)",
                       "la part de test demande au moins {count} lignes de chaque classe (ou "
                       "donnez --test-data)"),
    "few_rows_learn": ("each class needs rows to learn from",
                       "chaque classe a besoin de lignes pour apprendre"),
    "memory": ("a network of {parameters:,} parameters and {rows:,} rows of {targets:,} "
               "targets need about {needed:.1f} GB, more than the {free:.1f} GB free: try "
               "smaller --hidden layers, or fewer classes",
               "un réseau de {parameters:,} paramètres et {rows:,} lignes de {targets:,} "
               "cibles demandent environ {needed:.1f} Go, plus que les {free:.1f} Go libres : "
               "essayez des couches --hidden plus petites, ou moins de classes"),
    "input_width": ("--input must have {count} values per sample (the model's inputs), got "
                    "{widths}",
                    "--input doit avoir {count} valeurs par exemple (les entrées du modèle), "
                    "reçu : {widths}"),
    "input_finite": ("--input values must be finite numbers (not nan or inf)",
                     "les valeurs de --input doivent être des nombres finis (ni nan ni inf)"),
    "data_columns": ("{path}: {count} feature columns, but the model takes {expected}{names}",
                     "{path} : {count} colonnes de variables, mais le modèle en prend "
                     "{expected}{names}"),
    "data_not_finite": ("{path}: the inputs hold NaN or infinite values",
                        "{path} : les entrées contiennent des valeurs NaN ou infinies"),
    "plot_features": ("the model takes {inputs} inputs but --dataset {dataset} has "
                      "{features} features",
                      "le modèle prend {inputs} entrées mais --dataset {dataset} a {features} "
                      "variables"),
    "export_is_file": ("-o {path} is a file; a SavedModel is a folder: give a new name",
                       "-o {path} est un fichier ; un SavedModel est un dossier : donnez un "
                       "nouveau nom"),
    "export_other_folder": ("-o {path} is a folder of other files, not a SavedModel; give a "
                            "new name",
                            "-o {path} est un dossier d'autres fichiers, pas un SavedModel ; "
                            "donnez un nouveau nom"),
    "trace_sizes": ("--hidden takes positive sizes and --learning-rate a positive number",
                    "--hidden prend des tailles positives et --learning-rate un nombre "
                    "positif"),
    "timeout_positive": ("--timeout must be a positive number of seconds, got {value}",
                         "--timeout doit être un nombre positif de secondes, reçu : {value}"),
    # -- the user's data files (scratchnn.files), refused as a LocalizedValueError ----------
    "at_line": (", line {line}", ", ligne {line}"),
    "the_labels": ("(the labels)", "(les étiquettes)"),
    "file_missing": ("{source}: no such file", "{source} : fichier introuvable"),
    "file_not_regular": ("{source}: not a regular file", "{source} : ce n'est pas un fichier "
                                                         "ordinaire"),
    "file_kind": ("{source}: expected a .csv, .npy or .npz file",
                  "{source} : un fichier .csv, .npy ou .npz est attendu"),
    "npz_no_X": ("{source}: an .npz needs an array X (and y), it has {arrays}",
                 "{source} : un .npz demande un tableau X (et y), il a {arrays}"),
    "npz_no_array": ("{source}: no array {target!r}, it has {arrays}",
                     "{source} : pas de tableau {target!r}, il a {arrays}"),
    "npy_expected": ("{source}: expected a .npy file of one array",
                     "{source} : un fichier .npy d'un seul tableau est attendu"),
    "npy_unreadable": ("{source}: not a readable .npy array ({error})",
                       "{source} : ce n'est pas un tableau .npy lisible"),
    "features_table": ("{source}: the features must be a non-empty table (rows x columns), got "
                       "shape {shape}",
                       "{source} : les variables doivent former un tableau non vide (lignes x "
                       "colonnes), reçu : la forme {shape}"),
    "features_numbers": ("{source}: the features must be numbers, got dtype {dtype}",
                         "{source} : les variables doivent être des nombres, reçu : le type "
                         "{dtype}"),
    "labels_rows": ("{source}: {rows} rows of features but labels of shape {shape}",
                    "{source} : {rows} lignes de variables mais des étiquettes de forme "
                    "{shape}"),
    "labels_type": ("{source}: the labels must be numbers or text, got dtype {dtype}",
                    "{source} : les étiquettes doivent être des nombres ou du texte, reçu : le "
                    "type {dtype}"),
    "label_not_finite": ("{source}: the label of row {row} is {value}, not a finite number",
                         "{source} : l'étiquette de la ligne {row} vaut {value}, pas un nombre "
                         "fini"),
    "csv_unreadable": ("{source}{where}: {error}", "{source}{where} : {error}"),
    "csv_field_limit": ("{source}{where}: field larger than field limit ({limit})",
                        "{source}{where} : un champ dépasse la taille permise ({limit} "
                        "caractères)"),
    "csv_not_utf8": ("{source}: not UTF-8 text (byte {start}: {reason})",
                     "{source} : ce n'est pas du texte UTF-8 (octet {start}) ; dans Excel, "
                     "enregistrez-le en « CSV UTF-8 »"),
    "csv_empty": ("{source}: empty: it needs a header line and at least one row",
                  "{source} : vide : il faut une ligne d'en-tête et au moins une ligne de "
                  "données"),
    "csv_duplicate": ("{source}: the header names two columns {name!r} (columns {first} and "
                      "{second}); each needs its own name",
                      "{source} : l'en-tête nomme deux colonnes {name!r} (colonnes {first} et "
                      "{second}) ; chacune doit avoir son propre nom"),
    "csv_ragged": ("{source}, line {line}: {count} values, but the header has {columns} "
                   "columns",
                   "{source}, ligne {line} : {count} valeurs, mais l'en-tête a {columns} "
                   "colonnes"),
    "csv_no_target": ("{source}: no column {target!r} for the target; the columns are "
                      "{header}",
                      "{source} : pas de colonne {target!r} pour la cible ; les colonnes "
                      "sont {header}"),
    "csv_no_input": ("{source}: no column {name!r}, which the model takes as input; the "
                     "model's inputs are {features}",
                     "{source} : pas de colonne {name!r}, que le modèle prend en entrée ; "
                     "les entrées du modèle sont {features}"),
    "csv_no_features": ("{source}: no feature column besides the target {target!r}",
                        "{source} : pas de colonne de variable à part la cible {target!r}"),
    "csv_not_number": ("{source}, line {line}: the feature column {name!r} must hold numbers, "
                       "got {value!r}",
                       "{source}, ligne {line} : la colonne de variable {name!r} doit contenir "
                       "des nombres, reçu : {value!r}"),
    "csv_feature_empty": ("{source}, line {line}: the feature column {name!r} is empty (a "
                          "missing value); fill it in or remove the row",
                          "{source}, ligne {line} : la colonne de variable {name!r} est vide "
                          "(une valeur manquante) ; remplissez-la ou retirez la ligne"),
    "csv_feature_not_finite": ("{source}, line {line}: the feature column {name!r} holds "
                               "{value!r}, not a finite number",
                               "{source}, ligne {line} : la colonne de variable {name!r} "
                               "contient {value!r}, pas un nombre fini"),
    "csv_target_empty": ("{source}, line {line}: the target column {target!r} is empty; every "
                         "row needs its target",
                         "{source}, ligne {line} : la colonne cible {target!r} est vide ; "
                         "chaque ligne a besoin de sa cible"),
    "csv_target_not_finite": ("{source}, line {line}: the target column {target!r} holds "
                              "{value!r}, not a finite number; every row needs its target",
                              "{source}, ligne {line} : la colonne cible {target!r} contient "
                              "{value!r}, pas un nombre fini ; chaque ligne a besoin de sa "
                              "cible"),
    "target_not_whole": ("{source}: the target {name} holds numbers that are not whole, such "
                         "as {example:g}: a quantity, not classes; to predict it, train a "
                         "regressor with --task regression",
                         "{source} : la cible {name} contient des nombres non entiers, comme "
                         "{example:g} : une quantité, pas des classes ; pour la prédire, "
                         "entraînez une régression avec --task regression"),
    "target_text": ("{source}: the target {name} holds text, such as {example!r}: classes, "
                    "not a quantity; leave out --task regression",
                    "{source} : la cible {name} contient du texte, comme {example!r} : des "
                    "classes, pas une quantité ; retirez --task regression"),
    "no_target": ("{source}: no target (labels)", "{source} : pas de cible (étiquettes)"),
    # -- a model file that cannot be loaded (scratchnn.io) ------------------------------------
    "model_invalid": ("{path!r} is not a valid scratchnn model: {problem}",
                      "{path!r} n'est pas un modèle scratchnn valide : {problem}"),
    "model_not_file": ("it is {kind}, not a file", "c'est {kind}, pas un fichier"),
    "kind_folder": ("a folder", "un dossier"),
    "kind_fifo": ("a FIFO (a named pipe)", "un FIFO (un tube nommé)"),
    "kind_device": ("a device", "un périphérique"),
    "kind_socket": ("a socket", "une socket"),
    "model_not_npz": ("it is not an .npz archive", "ce n'est pas une archive .npz"),
    "model_unreadable": ("it could not be read as a model archive ({kind}: {error})",
                         "il n'a pas pu être lu comme une archive de modèle (fichier "
                         "endommagé ou tronqué)"),
    "model_header_json": ("its header is not valid JSON ({error})",
                          "son en-tête n'est pas du JSON valide"),
    "model_header_foreign": ("its header does not describe a scratchnn model",
                             "son en-tête ne décrit pas un modèle scratchnn"),
    "model_version": ("unknown format version {version!r} (this scratchnn reads versions "
                      "{versions})",
                      "version de format inconnue : {version!r} (cette version de scratchnn "
                      "lit les versions {versions})"),
    "model_no_header": ("it has no header array", "il n'a pas de tableau header"),
    "model_member_not_npy": ("the member {name!r} is not a .npy array",
                             "le membre {name!r} n'est pas un tableau .npy"),
    "model_extra_arrays": ("it holds unexpected arrays {names}",
                           "il contient des tableaux inattendus : {names}"),
    "model_array_missing": ("the array {name} is missing", "il manque le tableau {name}"),
    "model_member_truncated": ("the member {name} is truncated or holds more than its array",
                               "le membre {name} est tronqué ou contient plus que son "
                               "tableau"),
    "model_member_damaged": ("the member {name} is damaged (its checksum is wrong)",
                             "le membre {name} est endommagé (sa somme de contrôle est "
                             "fausse)"),
    "model_not_finite": ("the array {name} holds NaN or infinity",
                         "le tableau {name} contient NaN ou l'infini"),
    "model_negative": ("the array {name} holds negative values",
                       "le tableau {name} contient des valeurs négatives"),
    # -- a fit's refusals (scratchnn.trainer, scratchnn.errors) --------------------------------
    "batch_norm_lbfgs": ("batch normalisation trains by mini-batch updates (its statistics are "
                         "the batch's); L-BFGS cannot train it: use optimizer 'sgd' or 'adam'",
                         "la normalisation par lot s'entraîne par mises à jour sur des lots "
                         "(ses statistiques sont celles du lot) ; L-BFGS ne peut pas "
                         "l'entraîner : prenez l'optimiseur 'sgd' ou 'adam'"),
    "batch_norm_batch_size": ("batch normalisation needs batches of at least 2 samples in "
                              "training (over one sample its variance is 0), got batch_size=1 "
                              "(or 1 training sample): give a batch_size of 2 or more",
                              "la normalisation par lot demande des lots d'au moins 2 exemples "
                              "à l'entraînement (sur un seul, sa variance est nulle), reçu "
                              "batch_size=1 (ou 1 exemple d'entraînement) : donnez un "
                              "batch_size de 2 ou plus"),
    "lbfgs_early_stopping": ("early stopping needs epochs of updates; L-BFGS stops by its own "
                             "rule (tol): give no early_stopping with it",
                             "l'arrêt précoce (early_stopping) demande des époques de mises à "
                             "jour ; L-BFGS s'arrête par sa propre règle (tol) : ne donnez pas "
                             "early_stopping avec lui"),
    "split_one_side": ("validation_split={fraction} leaves no sample on one side of the split "
                       "of {count} samples",
                       "validation_split={fraction} ne laisse aucun exemple d'un côté de la "
                       "séparation des {count} exemples"),
    "diverged": ("training diverged at epoch {epoch}, batch {batch}: the loss or a parameter "
                 "became NaN or infinite. The model keeps {kept}. Try a smaller learning rate "
                 "than {learning_rate:g}.",
                 "l'entraînement a divergé à l'époque {epoch}, lot {batch} : la perte ou un "
                 "paramètre est devenu NaN ou infini. Le modèle garde {kept}. Essayez un taux "
                 "d'apprentissage plus petit que {learning_rate:g}."),
    "diverged_best": ("the weights of its best epoch ({epoch}), as early stopping does",
                      "les poids de sa meilleure époque ({epoch}), comme le fait l'arrêt "
                      "précoce"),
    "diverged_last": ("its last finite weights", "ses derniers poids finis"),
    # -- the command line's help (-h): what each command and option does --------------------
    "usage_prefix": ("usage: ", "utilisation : "),
    "heading": ("{title}", "{title}\u00a0"),  # argparse puts the colon after it
    "positionals": ("positional arguments", "arguments"),
    "optionals": ("options", "options"),
    "help_help": ("show this help message and exit", "afficher cette aide et quitter"),
    "about_scratchnn": ("Neural networks from scratch.", "Des réseaux de neurones, à la main."),
    "metavar_path": ("PATH", "CHEMIN"),
    "metavar_name": ("NAME", "NOM"),
    "metavar_rate": ("RATE", "TAUX"),
    "metavar_factor": ("FACTOR", "FACTEUR"),
    "metavar_index": ("INDEX", "INDICE"),
    "metavar_seconds": ("SECONDS", "SECONDES"),
    "metavar_epochs": ("EPOCHS", "ÉPOQUES"),
    "metavar_seed": ("SEED", "GRAINE"),
    "metavar_size": ("SIZE", "TAILLE"),
    "help_model": ("a model saved by 'scratchnn train --save'",
                   "un modèle enregistré par 'scratchnn train --save'"),
    "help_activation": ("activation of the hidden layers", "activation des couches cachées"),
    "help_lang_lang": ("the language of the messages (default: French if LC_ALL, LC_MESSAGES or "
                       "LANG, the first one set, is fr_..., else English)",
                       "la langue des messages (par défaut : le français si LC_ALL, "
                       "LC_MESSAGES ou LANG, la première définie, vaut fr_..., sinon "
                       "l'anglais)"),
    "help_check": ("check a course solution (Layer and Perceptron, or TensorFlow's train_step) "
                   "against the formulas",
                   "vérifier une solution du cours (Layer et Perceptron, ou le train_step de "
                   "TensorFlow) avec les formules"),
    "about_check": ("Import the file without its top-level training, run its Layer and "
                    "Perceptron from the same weights as scratchnn, on random data and on the "
                    "XOR table (sigmoid, then a ReLU hidden layer), and say for each formula "
                    "(dz, d_weights, d_biases, da_prev, the update, daⁿ, the loss, the printed "
                    "line) whether it is right. A TensorFlow solution of the XOR exercise "
                    "(tf.Variable W1, b1, W2, b2 and train_step) is checked step by step "
                    "against scratchnn's TensorFlow engine. Exit code 0 when all are right, 1 "
                    "otherwise.",
                    "Importe le fichier sans son entraînement au niveau du module, fait tourner "
                    "ses Layer et Perceptron depuis les mêmes poids que scratchnn, sur des "
                    "données aléatoires et sur la table du XOR (sigmoïde, puis une couche "
                    "cachée ReLU), et dit pour chaque formule (dz, d_weights, d_biases, "
                    "da_prev, la mise à jour, daⁿ, la perte, la ligne affichée) si elle est "
                    "juste. Une solution TensorFlow de l'exercice du XOR (tf.Variable W1, b1, "
                    "W2, b2 et train_step) est vérifiée pas à pas avec le moteur TensorFlow de "
                    "scratchnn. Code de sortie 0 quand tout est juste, 1 sinon."),
    "help_check_solution": ("the Python file that defines Layer and Perceptron, or train_step",
                            "le fichier Python qui définit Layer et Perceptron, ou train_step"),
    "help_check_timeout": ("the longest the solution may run (default: {timeout:g}, "
                           "{tf_timeout:g} for a file that imports TensorFlow)",
                           "la durée maximale de la solution (par défaut : {timeout:g}, "
                           "{tf_timeout:g} pour un fichier qui importe TensorFlow)"),
    "help_export": ("write a saved model as ONNX or a TensorFlow SavedModel",
                    "écrire un modèle enregistré en ONNX ou en SavedModel de TensorFlow"),
    "about_export": ("Write a model saved by 'scratchnn train --save' as an ONNX file (input "
                     "'input', output 'output': the probabilities) or a TensorFlow SavedModel "
                     "directory (signature 'serving_default').",
                     "Écrit un modèle enregistré par 'scratchnn train --save' en fichier ONNX "
                     "(entrée 'input', sortie 'output' : les probabilités) ou en dossier "
                     "SavedModel de TensorFlow (signature 'serving_default')."),
    "help_export_format": ("default: onnx for a .onnx output, else savedmodel",
                           "par défaut : onnx pour une sortie .onnx, sinon savedmodel"),
    "help_playground": ("watch a network learn, in the browser",
                        "regarder un réseau apprendre, dans le navigateur"),
    "about_playground": ("Serve a local web page, in the manner of TensorFlow Playground, where "
                         "the NumPy engine trains a small network on 2-D data while you watch; "
                         "Ctrl-C stops it. It binds 127.0.0.1 only and needs no network.",
                         "Sert une page web locale, à la manière de TensorFlow Playground, où "
                         "le moteur NumPy entraîne un petit réseau sur des données à 2 "
                         "dimensions sous vos yeux ; Ctrl-C l'arrête. Elle n'écoute que sur "
                         "127.0.0.1 et n'a pas besoin du réseau."),
    "help_playground_port": ("the port (default: a free one)",
                             "le port (par défaut : un port libre)"),
    "help_playground_no_browser": ("do not open the page in the browser",
                                   "ne pas ouvrir la page dans le navigateur"),
    "help_playground_model": ("continue training a saved 2-input network (an .npz)",
                              "continuer l'entraînement d'un réseau enregistré à 2 entrées (un "
                              ".npz)"),
    "help_plot": ("draw a saved model's loss curve and decision boundary",
                  "dessiner la courbe de perte et la frontière de décision d'un modèle "
                  "enregistré"),
    "about_plot": ("Draw a saved model's loss curve and, for 2-D data, its decision boundary "
                   "over the training points of a data set.",
                   "Dessine la courbe de perte d'un modèle enregistré et, pour des données à 2 "
                   "dimensions, sa frontière de décision sur les points d'entraînement d'un "
                   "jeu de données."),
    "help_plot_seed": ("seed of the data set (default: 0)",
                       "graine du jeu de données (par défaut : 0)"),
    "help_predict": ("predict with a saved model", "prédire avec un modèle enregistré"),
    "about_predict": ("Print the probability and prediction of a saved model for each input, "
                      "or write one row per row of a file.",
                      "Affiche la probabilité et la prédiction d'un modèle enregistré pour "
                      "chaque entrée, ou écrit une ligne par ligne d'un fichier."),
    "help_predict_input": ("one sample's features (repeat for more samples)",
                           "les variables d'un exemple (à répéter pour plus d'exemples)"),
    "help_predict_data": ("a CSV (header, numeric feature columns), .npy or .npz of inputs",
                          "un CSV (en-tête, colonnes de variables numériques), .npy ou .npz "
                          "d'entrées"),
    "help_predict_target": ("with --data: a label column to leave out of the features",
                            "avec --data : une colonne d'étiquettes à laisser hors des "
                            "variables"),
    "help_predict_output": ("with --data: write the predictions here (default: print them)",
                            "avec --data : écrire les prédictions ici (par défaut : les "
                            "afficher)"),
    "help_predict_engine": ("engine to load the model into (default: the one it was saved "
                            "from)",
                            "le moteur où charger le modèle (par défaut : celui d'où il a été "
                            "enregistré)"),
    "help_trace": ("show one training step, every formula with its numbers",
                   "montrer un pas d'entraînement, chaque formule avec ses nombres"),
    "about_trace": ("One step of gradient descent on one sample of a logic gate, as the "
                    "course writes it: the forward pass, the loss and its derivative, then "
                    "dz, d_weights, d_biases, da_prev and the update of each layer.",
                    "Un pas de descente de gradient sur un exemple d'une porte logique, comme "
                    "le cours l'écrit : la propagation avant, la perte et sa dérivée, puis dz, "
                    "d_weights, d_biases, da_prev et la mise à jour de chaque couche."),
    "help_trace_sample": ("which row of the truth table (default: 1, x = (0, 1))",
                          "quelle ligne de la table de vérité (par défaut : 1, x = (0, 1))"),
    "help_trace_hidden": ("neurons of each hidden layer (default: 2, the course's)",
                          "neurones de chaque couche cachée (par défaut : 2, comme le cours)"),
    "help_trace_seed": ("seed of the initial weights (normal, biases zero)",
                        "graine des poids initiaux (loi normale, biais nuls)"),
    "help_train": ("train a network and print what it learned",
                   "entraîner un réseau et afficher ce qu'il a appris"),
    "about_train": ("Train a network; by default the spec's 2-2-1 sigmoid XOR network. Options "
                    "left out take the data set's defaults.",
                    "Entraîne un réseau ; par défaut le réseau 2-2-1 à sigmoïde du XOR, celui "
                    "du cours. Les options omises prennent les valeurs par défaut du jeu de "
                    "données."),
    "help_train_data": ("train on your own file instead: a CSV with a header (the --target "
                        "column holds the labels, the others are numeric features), a features "
                        ".npy (with --target labels.npy) or an .npz of X and y; the features "
                        "are standardised, in the saved model too",
                        "entraîner plutôt sur votre propre fichier : un CSV avec un en-tête "
                        "(la colonne --target contient les étiquettes, les autres sont des "
                        "variables numériques), un .npy des variables (avec --target "
                        "etiquettes.npy) ou un .npz de X et y ; les variables sont "
                        "standardisées, dans le modèle enregistré aussi"),
    "help_train_target": ("with --data: the labels' column, or their .npy file, or .npz array",
                          "avec --data : la colonne des étiquettes, ou leur fichier .npy, ou "
                          "leur tableau du .npz"),
    "help_train_task": ("with --data: regression predicts the target's numbers (mean squared "
                        "error on the standardised target, kept in the model); default: "
                        "classification, the target's values are classes",
                        "avec --data : regression prédit les nombres de la cible (erreur "
                        "quadratique moyenne sur la cible standardisée, gardée dans le "
                        "modèle) ; par défaut : classification, les valeurs de la cible sont "
                        "des classes"),
    "help_train_test_data": ("with --data: a file of the same form to test on (default: a "
                             "quarter of --data, split by class with --seed)",
                             "avec --data : un fichier de même forme pour le test (par défaut "
                             ": un quart de --data, tiré par classe avec --seed)"),
    "help_train_devices": ("tensorflow engine: train data-parallel on N logical CPU devices, "
                           "or on all GPUs with 'all' (tf.distribute.MirroredStrategy)",
                           "moteur tensorflow : entraîner en parallèle de données sur N "
                           "processeurs logiques, ou sur tous les GPU avec 'all' "
                           "(tf.distribute.MirroredStrategy)"),
    "help_train_hidden": ("neurons of each hidden layer", "neurones de chaque couche cachée"),
    "help_train_init": ("weight initialiser", "initialisation des poids"),
    "help_train_optimizer": ("lbfgs: a full-batch quasi-Newton solver for small data (needs "
                             "SciPy)",
                             "lbfgs : une méthode de quasi-Newton sur tout l'ensemble, pour de "
                             "petites données (demande SciPy)"),
    "help_train_schedule": ("the learning rate over training: exponential and cosine decay to "
                            "a tenth and to 0 by the last step, scikit-learn's invscaling and "
                            "adaptive, or divided by 10 on a plateau of the validation (else "
                            "training) loss",
                            "le taux d'apprentissage au fil de l'entraînement : décroissance "
                            "exponentielle et cosinus jusqu'au dixième et jusqu'à 0 au dernier "
                            "pas, invscaling et adaptive de scikit-learn, ou divisé par 10 sur "
                            "un plateau de la perte de validation (sinon d'entraînement)"),
    "help_train_l2": ("weight penalty: add FACTOR times the sum of squared weights to the loss",
                      "pénalité des poids : ajouter à la perte FACTEUR fois la somme des "
                      "carrés des poids"),
    "help_train_dropout": ("drop this fraction of each hidden layer's units in training",
                           "éteindre cette fraction des unités de chaque couche cachée pendant "
                           "l'entraînement"),
    "help_train_batch_norm": ("normalise each hidden layer's z over the batch (Keras's "
                              "BatchNormalization; needs batches of 2 samples or more)",
                              "normaliser le z de chaque couche cachée sur le lot "
                              "(BatchNormalization de Keras ; des lots de 2 exemples ou plus)"),
    "help_train_batch_size": ("samples per update (0: the whole set)",
                              "exemples par mise à jour (0 : tout l'ensemble)"),
    "help_train_validation_split": ("hold out this fraction of the training data for "
                                    "validation",
                                    "mettre de côté cette fraction des données "
                                    "d'entraînement pour la validation"),
    "help_train_early_stopping": ("stop when the validation loss stops improving, keep the "
                                  "best",
                                  "s'arrêter quand la perte de validation ne s'améliore plus, "
                                  "garder la meilleure époque"),
    "help_train_restarts": ("if training gets stuck, retry from up to K new initial weights",
                            "si l'entraînement est bloqué, recommencer depuis K nouveaux poids "
                            "initiaux au plus"),
    "help_train_seed": ("random seed (default: 0)", "graine aléatoire (par défaut : 0)"),
    "help_train_verbose": ("0 silent, 1 the loss every --log-every epochs, 2 a progress bar "
                           "(default: 2 on a terminal, else 1)",
                           "0 muet, 1 la perte toutes les --log-every époques, 2 une barre de "
                           "progression (par défaut : 2 dans un terminal, sinon 1)"),
    "help_train_log_every": ("print the loss every N epochs (default: a tenth of the epochs)",
                             "afficher la perte toutes les N époques (par défaut : un dixième "
                             "des époques)"),
    "help_train_json": ("print, last, one JSON object with the results",
                        "afficher, en dernier, un objet JSON avec les résultats"),
    "help_train_save": ("save the trained model to PATH (.npz)",
                        "enregistrer le modèle entraîné dans CHEMIN (.npz)"),
    "help_train_plot": ("draw the loss curve and (2-D data) the decision boundary to PNG",
                        "dessiner la courbe de perte et (données à 2 dimensions) la frontière "
                        "de décision dans PNG"),
    "help_train_animate": ("draw the decision boundary and the loss curve along the way, as an "
                           "animated GIF (2-D data)",
                           "dessiner la frontière de décision et la courbe de perte au fil de "
                           "l'entraînement, en GIF animé (données à 2 dimensions)"),
    # -- the command line: what it prints ---------------------------------------------------
    "playground_at": ("scratchnn playground at {address} (Ctrl-C stops it)",
                      "terrain de jeu de scratchnn à l'adresse {address} (Ctrl-C l'arrête)"),
    "note": ("Note: {message}", "Remarque : {message}"),
    "model_saved": ("model saved to {path}", "modèle enregistré dans {path}"),
    "figure_saved": ("figure saved to {path}", "figure enregistrée dans {path}"),
    "animation_saved": ("animation of {count} frames saved to {path}",
                        "animation de {count} images enregistrée dans {path}"),
    "exported": ("{kind} model written to {path}", "modèle {kind} écrit dans {path}"),
    "predictions_written": ("{count} predictions written to {path}",
                            "{count} prédictions écrites dans {path}"),
    "accuracy": ("accuracy", "exactitude"),
    "r2": ("r2", "R²"),
    "score": ("{score}: {value}", "{score} : {value}"),
    "train_score": ("train {score}: {value}", "{score} à l'entraînement : {value}"),
    "test_score": ("test {score}: {value}", "{score} au test : {value}"),
    "column_inputs": ("inputs", "entrées"),
    "column_target": ("target", "cible"),
    "column_probability": ("probability", "probabilité"),
    "column_prediction": ("prediction", "prédiction"),
    # -- a fit's messages ---------------------------------------------------------------------
    "unit_epoch": ("epoch", "époque"),
    "bar_loss": ("loss", "perte"),
    "bar_val_loss": ("val_loss", "perte_val"),
    "bar_val_accuracy": ("val_accuracy", "exactitude_val"),
    "bar_learning_rate": ("learning_rate", "taux"),
    "diagnosis": ("Diagnosis: {finding}", "Diagnostic : {finding}"),
    "finding": ("{message} Try: {advice}", "{message} Essayez : {advice}"),
    "restart": ("Diagnosis: training is stuck ({why}): restart {start} of {count} from new "
                "initial weights",
                "Diagnostic : l'entraînement est bloqué ({why}) : nouveau départ {start} sur "
                "{count}, de nouveaux poids initiaux"),
    "kept_restart": ("Kept restart {start}: final loss {loss:.3f}",
                     "Gardé : le départ {start}, perte finale {loss:.3f}"),
    "kept_first": ("Kept the first run: final loss {loss:.3f}",
                   "Gardé : le premier essai, perte finale {loss:.3f}"),
    "stuck_base_rate": ("the network predicts the base rate for every sample",
                        "le réseau prédit la fréquence des classes pour chaque exemple"),
    "stuck_plateau": ("the loss stopped falling with samples still misclassified",
                      "la perte ne baisse plus alors que des exemples sont mal classés"),
    "not_converged": ("training used all its {epochs} epochs before its stopping rule said "
                      "it had converged; give it more epochs",
                      "l'entraînement a employé ses {epochs} époques avant que sa règle "
                      "d'arrêt ne le dise convergé ; donnez-lui plus d'époques"),
    # -- the diagnoses (scratchnn.diagnostics) ------------------------------------------------
    "too_short": ("Training ran {epochs} epoch{plural}, too few to judge: the loss is "
                  "{loss:.3f} and may well keep falling.",
                  "L'entraînement a duré {epochs} époque{plural}, trop peu pour juger : la "
                  "perte vaut {loss:.3f} et peut encore baisser."),
    "too_short_advice": ("train longer (at least {minimum} epochs, often hundreds).",
                         "entraînez plus longtemps (au moins {minimum} époques, souvent des "
                         "centaines)."),
    "restart_advice": ("restart from other initial weights (fit(..., restarts=5)), a larger "
                       "learning rate, or another initialiser.",
                       "repartez d'autres poids initiaux (fit(..., restarts=5)), d'un taux "
                       "d'apprentissage plus grand, ou d'une autre initialisation."),
    "plateau_advice": ("restart from other initial weights (fit(..., restarts=5)), or add "
                       "hidden neurons.",
                       "repartez d'autres poids initiaux (fit(..., restarts=5)), ou ajoutez "
                       "des neurones cachés."),
    "restarts_failed": ("the restarts did not help: add hidden neurons, or try another "
                        "learning rate or initialiser.",
                        "les nouveaux départs n'ont pas aidé : ajoutez des neurones cachés, ou "
                        "essayez un autre taux d'apprentissage ou une autre initialisation."),
    "base_rate": ("The loss is stuck at {loss:.3f}, the entropy of the label frequencies "
                  "({entropy:.3f}): the network predicts the base rate for every sample.",
                  "La perte est bloquée à {loss:.3f}, l'entropie des fréquences des "
                  "étiquettes ({entropy:.3f}) : le réseau prédit la fréquence des classes "
                  "pour chaque exemple."),
    "plateau": ("The loss has stopped falling at {loss:.3f} (it changed by {change:.2%} over "
                "the last {window} epochs) while {wrong:.0%} of the training samples are "
                "misclassified: training is stuck in a bad minimum.",
                "La perte ne baisse plus, à {loss:.3f} (elle a changé de {change:.2%} sur les "
                "{window} dernières époques) alors que {wrong:.0%} des exemples "
                "d'entraînement sont mal classés : l'entraînement est bloqué dans un mauvais "
                "minimum."),
    "slow": ("The loss falls steadily but slowly: it fell in each of the last {window} "
             "epochs, by {drop:.2g} in all (to {loss:.4f}), at least half as much as in the "
             "{window} before, and no unit is saturated or dead. The learning rate is too "
             "small, or the epochs too few: the run is slow, not stuck.",
             "La perte baisse régulièrement mais lentement : elle a baissé à chacune des "
             "{window} dernières époques, de {drop:.2g} en tout (jusqu'à {loss:.4f}), au "
             "moins moitié autant que sur les {window} d'avant, et aucune unité n'est saturée "
             "ou morte. Le taux d'apprentissage est trop petit, ou les époques trop peu "
             "nombreuses : l'entraînement est lent, pas bloqué."),
    "slow_advice": ("a larger learning rate (ten times, say) or more epochs; other initial "
                    "weights (restarts) would not help.",
                    "un taux d'apprentissage plus grand (dix fois, par exemple) ou plus "
                    "d'époques ; d'autres poids initiaux (restarts) n'aideraient pas."),
    "unstable": ("The loss rises or oscillates: it went up in {rises:.0%} of the epochs of the "
                 "second half, and ends at {final:.3g} against a best of {best:.3g}.",
                 "La perte monte ou oscille : elle a monté dans {rises:.0%} des époques de la "
                 "seconde moitié, et finit à {final:.3g}, contre {best:.3g} au mieux."),
    "unstable_advice": ("a smaller learning rate (a tenth, say).",
                        "un taux d'apprentissage plus petit (dix fois plus petit, par "
                        "exemple)."),
    "still_falling": ("The loss was still falling at the last epoch ({change:.0%} lower over "
                      "the last {window} epochs, now {loss:.3g}).",
                      "La perte baissait encore à la dernière époque ({change:.0%} de moins "
                      "sur les {window} dernières époques, {loss:.3g} maintenant)."),
    "still_falling_advice": ("train longer (more epochs) or with a larger learning rate.",
                             "entraînez plus longtemps (plus d'époques) ou avec un taux "
                             "d'apprentissage plus grand."),
    "layer_count": ("layer {index}: {count} of {total}", "couche {index} : {count} sur {total}"),
    "dead_relu": ("Some ReLU units are never active on the training set ({listed}); they no "
                  "longer learn.",
                  "Des unités ReLU ne sont jamais actives sur l'ensemble d'entraînement "
                  "({listed}) ; elles n'apprennent plus."),
    "dead_relu_advice": ("a smaller learning rate{he}, or tanh units.",
                         "un taux d'apprentissage plus petit{he}, ou des unités tanh."),
    "dead_relu_he": (", He initialisation (init='he')", ", l'initialisation de He (init='he')"),
    "saturated": ("Some sigmoid/tanh units are saturated (at their limit for over 95% of the "
                  "samples: {listed}); their gradient is nearly zero.",
                  "Des unités sigmoïde/tanh sont saturées (à leur limite pour plus de 95 % des "
                  "exemples : {listed}) ; leur gradient est presque nul."),
    "saturated_advice": ("scale the inputs (to mean 0, variance 1), Xavier initialisation "
                         "(init='xavier'), or a smaller learning rate.",
                         "des entrées mises à l'échelle (moyenne 0, variance 1), "
                         "l'initialisation de Xavier (init='xavier'), ou un taux "
                         "d'apprentissage plus petit."),
    "vanishing_gradients": ("The gradients vanish towards the input: the first layer's is "
                            "{first:.2g}, the last layer's {last:.2g}.",
                            "Les gradients s'évanouissent vers l'entrée : celui de la première "
                            "couche vaut {first:.2g}, celui de la dernière {last:.2g}."),
    "vanishing_gradients_advice": ("ReLU units with He initialisation, fewer layers, or scaled "
                                   "inputs.",
                                   "des unités ReLU avec l'initialisation de He, moins de "
                                   "couches, ou des entrées mises à l'échelle."),
    "exploding_gradients": ("The gradients are exploding (norms per layer: {norms}).",
                            "Les gradients explosent (normes par couche : {norms})."),
    "exploding_gradients_advice": ("a smaller learning rate, scaled inputs, or smaller initial "
                                   "weights.",
                                   "un taux d'apprentissage plus petit, des entrées mises à "
                                   "l'échelle, ou des poids initiaux plus petits."),
    # -- the pictures (scratchnn.plot, scratchnn.animation) -----------------------------------
    "plot_training_loss": ("training loss", "perte d'entraînement"),
    "plot_validation_loss": ("validation loss", "perte de validation"),
    "plot_restored": ("restored epoch {epoch}", "époque gardée : {epoch}"),
    "plot_epoch": ("epoch", "époque"),
    "plot_loss_axis": ("loss ({name})", "perte ({name})"),
    "plot_not_trained": ("Loss (not trained)", "Perte (pas d'entraînement)"),
    "plot_boundary": ("Decision boundary", "Frontière de décision"),
    "plot_feature": ("feature {index}", "variable {index}"),
    "plot_frame": ("epoch {epoch}", "époque {epoch}"),
    # -- names of the activations, in sentences (formulas keep the code's names) -------------
    "name_sigmoid": ("sigmoid", "sigmoïde"),
    "name_tanh": ("tanh", "tanh"),
    "name_relu": ("relu", "relu"),
    "name_linear": ("linear", "linéaire"),
    "name_softmax": ("softmax", "softmax"),
}

for _index, _language in enumerate(LANGUAGES):
    WORDS[_language].update({key: pair[_index] for key, pair in PHRASES.items()})

#: argparse's own errors (Python 3.11's wording), in French: a pattern and its translation.
_ARGPARSE_FRENCH = [
    (r"the following arguments are required: (.*)", "ces arguments sont obligatoires : {0}"),
    (r"unrecognized arguments: (.*)", "arguments inconnus : {0}"),
    (r"argument (.*?): invalid choice: (.*) \(choose from (.*)\)",
     "argument {0} : choix invalide : {1} (au choix : {2})"),
    (r"argument (.*?): invalid int value: (.*)",
     "argument {0} : un nombre entier est attendu, reçu : {1}"),
    (r"argument (.*?): invalid float value: (.*)",
     "argument {0} : un nombre est attendu, reçu : {1}"),
    (r"argument (.*?): invalid \w+ value: (.*)", "argument {0} : valeur invalide : {1}"),
    (r"argument (.*?): expected one argument", "argument {0} : une valeur est attendue"),
    (r"argument (.*?): expected at least one argument",
     "argument {0} : au moins une valeur est attendue"),
    (r"argument (.*?): expected (\d+) arguments?", "argument {0} : {1} valeurs sont attendues"),
    (r"argument (.*?): not allowed with argument (.*)",
     "argument {0} : interdit avec l'argument {1}"),
    (r"argument (.*?): ignored explicit argument (.*)",
     "argument {0} : la valeur {1} est de trop"),
    (r"one of the arguments (.*) is required", "l'un des arguments {0} est obligatoire"),
    (r"ambiguous option: (.*) could match (.*)", "option ambiguë : {0} peut désigner {1}"),
]


def translate_usage_error(message: str, language: str) -> str:
    """An error message of argparse in ``language`` (as it is if none of the patterns, for
    the argparse of this Python, matches)."""
    if language == "fr":
        for pattern, french in _ARGPARSE_FRENCH:
            found = re.fullmatch(pattern, message)
            if found:
                return _french_typography(french.format(*found.groups()))
    return message


#: French puts a non-breaking space before ``: ; ? !`` and inside ``« »``.
_FRENCH_SPACES = re.compile(r" ([:;?!»])|(«) ")
#: ... and between a number and its ``%``.
_FRENCH_PERCENT = re.compile(r"(\d)%")


def _french_typography(phrase: str) -> str:
    return _FRENCH_SPACES.sub(lambda m: f"\u00a0{m[1]}" if m[1] else f"{m[2]}\u00a0", phrase)


@functools.cache
def words(language: str) -> Mapping[str, str]:
    """The phrases of ``language`` ("en" or "fr"), and the formulas."""
    if language not in WORDS:
        raise ValueError(f"language must be one of {list(LANGUAGES)}, got {language!r}")
    phrases = WORDS[language]
    if language == "fr":
        phrases = {key: _french_typography(phrase) for key, phrase in phrases.items()}
    return {**FORMULAS, **phrases}


_CURRENT: ContextVar[str] = ContextVar("scratchnn_language", default="en")


def current_language() -> str:
    """The language scratchnn speaks now: "en" unless ``speaking`` set another."""
    return _CURRENT.get()


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak ``language`` ("en" or "fr") inside the ``with`` block: the messages of ``fit``,
    the diagnoses, the plots and the command line."""
    words(language)  # refuses an unknown language before anything changes
    token = _CURRENT.set(language)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def say(key: str, **values: Any) -> str:
    """The phrase ``key`` in the current language, with ``values`` filled in."""
    language = current_language()
    phrase = words(language)[key].format(**values)
    return _FRENCH_PERCENT.sub("\\1\u00a0%", phrase) if language == "fr" else phrase


class Phrase:
    """The phrase ``key`` with its ``values``, said in the language current when it is read
    (``str``, or a value of another phrase), not when it is made."""

    def __init__(self, key: str, **values: Any) -> None:
        words("en")[key]  # refuses an unknown key where the phrase is made
        self.key, self.values = key, values

    def __str__(self) -> str:
        return say(self.key, **self.values)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Phrase({self.key!r}, **{self.values!r})"


class _Localized(Exception):
    """An error whose message is a ``Phrase``: English for a Python user (or the language of
    the ``speaking`` block it is read in), the command's language on the command line."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(Phrase(key, **values))
        self.key, self.values = key, values

    def __reduce__(self) -> tuple[Any, ...]:  # pickled with its key, not as __init__(phrase)
        return functools.partial(type(self), self.key, **self.values), ()


class LocalizedValueError(_Localized, ValueError):
    """A ValueError whose message is the phrase ``key`` of this module, with ``values``."""


class LocalizedTypeError(_Localized, TypeError):
    """A TypeError whose message is the phrase ``key`` of this module, with ``values``."""


def language_of_environment(environ: Mapping[str, str] | None = None) -> str:
    """"fr" when the locale of the environment is French, else "en": the first of
    ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set decides, as for any program."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"
