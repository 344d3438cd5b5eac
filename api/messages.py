"""What each problem ``code`` says to people, in French (default) and English.

The ``detail`` of a problem response comes from here; a test checks that every domain error
and every code the API produces has both sentences.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # Errors every endpoint may answer
    "MALFORMED_JSON": (
        "Le corps de la requête n'est pas un JSON valide.",
        "The request body is not valid JSON.",
    ),
    "UNAUTHENTICATED": (
        "Vous devez être connecté : jeton absent, invalide, expiré ou révoqué.",
        "You must be logged in: the token is missing, invalid, expired or revoked.",
    ),
    "FORBIDDEN": ("Vous n'avez pas les droits pour faire cette action.", "You are not allowed to do this."),
    "PASSWORD_CHANGE_REQUIRED": (
        "Vous devez d'abord changer votre mot de passe temporaire.",
        "You must change your temporary password first.",
    ),
    "NOT_FOUND": ("Cette adresse n'existe pas.", "There is nothing at this address."),
    "METHOD_NOT_ALLOWED": (
        "Cette méthode n'est pas permise sur cette adresse.",
        "This method is not allowed on this address.",
    ),
    "REQUEST_TOO_LARGE": ("La requête est trop volumineuse.", "The request body is too large."),
    "VALIDATION_ERROR": (
        "Certains champs sont absents ou incorrects.",
        "Some fields are missing or invalid.",
    ),
    "TOO_MANY_REQUESTS": (
        "Trop de tentatives. Réessayez plus tard.",
        "Too many attempts. Please try again later.",
    ),
    "INTERNAL_ERROR": (
        "Une erreur inattendue s'est produite. Elle a été enregistrée ; réessayez plus tard.",
        "An unexpected error occurred. It has been logged; please try again later.",
    ),
    "SERVICE_UNAVAILABLE": (
        "Le service est momentanément indisponible ; rien n'a été modifié. Réessayez dans quelques instants.",
        "The service is temporarily unavailable; nothing was changed. Please try again shortly.",
    ),
    "BAD_REQUEST": ("La requête est incorrecte.", "The request is invalid."),
    "CONFLICT": ("Cette action contredit l'état actuel.", "This action conflicts with the current state."),
    "GONE": ("Cette ressource n'est plus disponible.", "This resource is no longer available."),
    "PRECONDITION_FAILED": ("Une condition préalable n'est pas remplie.", "A precondition is not met."),
    "UNSUPPORTED_FILE_TYPE": (
        "Ce type de fichier n'est pas pris en charge : déposez le fichier XML de SIECLE, "
        "ou le zip qui le contient.",
        "This file type is not supported: upload the SIECLE XML file, or the zip that holds it.",
    ),
    # Accounts
    "INVALID_CREDENTIALS": (
        "L'adresse e-mail, l'identifiant ou le mot de passe est incorrect.",
        "The e-mail address, username or password is incorrect.",
    ),
    "EMAIL_ALREADY_USED": (
        "Cette adresse e-mail est déjà utilisée par un compte.",
        "This e-mail address is already used by an account.",
    ),
    "USERNAME_ALREADY_USED": ("Cet identifiant est déjà utilisé.", "This username is already used."),
    "INVALID_PASSWORD": (
        "Votre mot de passe doit contenir 8 caractères au minimum et comporter au moins une majuscule, "
        "une minuscule et un chiffre.",
        "Your password must be at least 8 characters long and contain an upper-case letter, "
        "a lower-case letter and a digit.",
    ),
    "TERMS_NOT_ACCEPTED": (
        "Vous devez accepter les conditions d'utilisation.",
        "You must accept the terms of use.",
    ),
    "INVALID_EMAIL": ("Cette adresse e-mail n'est pas valide.", "This e-mail address is not valid."),
    "WRONG_CURRENT_PASSWORD": (
        "Le mot de passe actuel est incorrect.",
        "The current password is incorrect.",
    ),
    "PIX_ORGA_ACCESS_REQUIRES_MEMBERSHIP": (
        "L'accès à Pix Orga est limité aux membres invités. Chaque espace est géré par un administrateur "
        "Pix Orga propre à l'organisation qui l'utilise. Contactez-le pour qu'il vous y invite.",
        "Access to Pix Orga is limited to invited members. Each space is managed by a Pix Orga administrator "
        "of the organization that uses it. Contact them to be invited.",
    ),
    "RESET_TOKEN_INVALID": (
        "Ce lien de réinitialisation n'est plus valide : il a déjà servi ou a expiré. "
        "Faites une nouvelle demande.",
        "This reset link is no longer valid: it was already used or has expired. Please ask for a new one.",
    ),
}


def message(code: str, language: str) -> str:
    french, english = MESSAGES.get(code, MESSAGES["BAD_REQUEST"])
    return english if language == "en" else french
