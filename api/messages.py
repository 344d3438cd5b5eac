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
    # Organizations, invitations, memberships
    "ORGANIZATION_NOT_FOUND": ("Organisation introuvable.", "Organization not found."),
    "PIX_ORGA_TERMS_NOT_ACCEPTED": (
        "Vous devez d'abord accepter les conditions d'utilisation de Pix Orga.",
        "You must accept the Pix Orga terms of service first.",
    ),
    "UAI_ALREADY_USED": (
        "Cette UAI est déjà celle d'une autre organisation.",
        "This UAI already belongs to another organization.",
    ),
    "ORGANIZATION_ARCHIVED": (
        "Cette organisation est archivée : elle n'accepte plus d'invitation, d'import ni de campagne.",
        "This organization is archived: it accepts no new invitation, import or campaign.",
    ),
    "ORGANIZATION_WITHOUT_EMAIL": (
        "Cette organisation n'a pas d'adresse e-mail officielle : contactez le support Pix.",
        "This organization has no official e-mail address: contact Pix support.",
    ),
    "INVITATION_NOT_FOUND": (
        "Cette invitation n'existe pas : vérifiez le lien reçu par e-mail.",
        "This invitation does not exist: check the link you received by e-mail.",
    ),
    "INVITATION_ALREADY_ACCEPTED": (
        "Ce lien d'invitation est à usage unique et a déjà été utilisé. Demandez une nouvelle invitation "
        "à un administrateur de l'espace.",
        "This invitation link can be used only once and has already been used. Ask an administrator "
        "of the space for a new invitation.",
    ),
    "INVITATION_CANCELLED": (
        "Cette invitation a été annulée par un administrateur de l'espace.",
        "This invitation was cancelled by an administrator of the space.",
    ),
    "INVITATION_EXPIRED": (
        "Cette invitation a expiré. Demandez-en une nouvelle à un administrateur de l'espace.",
        "This invitation has expired. Ask an administrator of the space for a new one.",
    ),
    "INVITATION_CODE_REPLACED": (
        "Un e-mail d'invitation plus récent a été envoyé : utilisez le lien du dernier e-mail reçu.",
        "A newer invitation e-mail was sent: use the link of the latest e-mail you received.",
    ),
    "INVITATION_NOT_PENDING": (
        "Seule une invitation en attente peut être renvoyée.",
        "Only a pending invitation can be sent again.",
    ),
    "INVITATION_NOT_CANCELLABLE": (
        "Seule une invitation en attente peut être annulée.",
        "Only a pending invitation can be cancelled.",
    ),
    "NO_VALID_EMAIL": (
        "Aucune adresse e-mail valide n'a été saisie.",
        "No valid e-mail address was given.",
    ),
    "MEMBERSHIP_NOT_FOUND": (
        "Ce membre n'existe pas dans cette organisation.",
        "No such member in this organization.",
    ),
    "CANNOT_CHANGE_OWN_ROLE": (
        "Vous ne pouvez pas changer votre propre rôle : demandez-le à un autre administrateur.",
        "You cannot change your own role: ask another administrator.",
    ),
    "LAST_ADMIN": (
        "L'organisation doit garder au moins un administrateur : nommez-en un autre d'abord.",
        "The organization must keep at least one administrator: appoint another one first.",
    ),
    # Student import
    "INVALID_SIECLE_FILE": (
        "Le fichier SIECLE ne peut pas être importé : corrigez les erreurs listées puis déposez-le "
        "à nouveau. Aucun élève n'a été modifié.",
        "The SIECLE file cannot be imported: fix the errors listed and upload it again. "
        "No student was changed.",
    ),
    "FILE_TOO_LARGE": (
        "Le fichier est trop volumineux.",
        "The file is too large.",
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
