"""The words of the learner's tools (``trace`` and ``check``), in English and in French, the
course's language.  The formulas themselves are the same in both."""

from __future__ import annotations

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
    "check_loss": "L = -(y log(ŷ) + (1 - y) log(1 - ŷ))",
    "check_daL": "daⁿ = (ŷ - y) / (ŷ (1 - ŷ))",
}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "step": "One training step of the {network} network on sample {index} of {dataset}: "
                "x = {x}, y = {y}, learning rate {learning_rate}",
        "forward": "Forward pass",
        "layer": "Layer {index}",
        "loss": "Loss",
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
    },
    "fr": {
        "step": "Un pas d'entraînement du réseau {network} sur l'exemple {index} de {dataset} : "
                "x = {x}, y = {y}, taux d'apprentissage {learning_rate}",
        "forward": "Propagation avant",
        "layer": "Couche {index}",
        "loss": "Perte",
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
    },
}


def words(language: str) -> dict[str, str]:
    """The phrases of ``language`` ("en" or "fr"), and the formulas."""
    if language not in WORDS:
        raise ValueError(f"language must be one of {list(LANGUAGES)}, got {language!r}")
    return {**FORMULAS, **WORDS[language]}
