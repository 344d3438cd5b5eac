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
        "Ce type de fichier n'est pas pris en charge : déposez l'export SIECLE (XML ou zip), un "
        "fichier CSV ou une liste JSON. Un classeur Excel ou LibreOffice doit d'abord être "
        "enregistré au format « CSV UTF-8 ».",
        "This file type is not supported: upload the SIECLE export (XML or zip), a CSV file or a "
        "JSON list. An Excel or LibreOffice workbook must first be saved as “CSV UTF-8”.",
    ),
    # Organizations, invitations, memberships
    "ORGANIZATION_NOT_FOUND": ("Organisation introuvable.", "Organization not found."),
    # API clients
    "INVALID_CLIENT": (
        "Client inconnu, secret incorrect ou client révoqué.",
        "Unknown client, wrong secret, or a revoked client.",
    ),
    "INVALID_SCOPE": (
        "Portée demandée inconnue ou non accordée à ce client.",
        "A scope asked for is unknown or not granted to this client.",
    ),
    "INSUFFICIENT_SCOPE": (
        "Ce client d'API n'a pas accès à cette action (portée manquante, ou action réservée aux personnes).",
        "This API client may not do this (a scope is missing, or the action is for people only).",
    ),
    "API_CLIENT_NOT_FOUND": ("Client d'API introuvable.", "API client not found."),
    "TOO_MANY_API_CLIENTS": (
        "Cette organisation a déjà le nombre maximal de clients d'API actifs ; révoquez-en un d'abord.",
        "This organization already has the most live API clients allowed; revoke one first.",
    ),
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
    "TOO_MANY_EMAILS": (
        "Trop d'adresses en une fois : envoyez-les en plusieurs fois.",
        "Too many addresses at once: send them in several goes.",
    ),
    "RATE_LIMITED": (
        "Votre organisation a envoyé le nombre maximal d'invitations pour aujourd'hui. Réessayez plus tard.",
        "Your organization has sent the most invitations allowed for today. Please try again later.",
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
    "INVALID_STUDENT_FILE": (
        "La liste d'élèves ne peut pas être importée : corrigez les erreurs listées (chacune donne "
        "sa ligne et l'élève) puis déposez-la à nouveau. Aucun élève n'a été modifié.",
        "The list of pupils cannot be imported: fix the errors listed (each gives its line and the "
        "pupil) and upload it again. No student was changed.",
    ),
    "IMPORT_IN_PROGRESS": (
        "Un autre import est en cours pour cet établissement : attendez qu'il se termine puis réessayez.",
        "Another import is running for this school: wait for it to finish, then try again.",
    ),
    "TOO_MANY_STUDENTS_DISABLED": (
        "Cet import désactiverait une grande part des élèves (export partiel ou d'un autre établissement ?). "
        "Vérifiez le fichier, puis confirmez l'import si c'est bien voulu.",
        "This import would disable a large share of the students (a partial export, or another school's?). "
        "Check the file, then confirm the import if it is intended.",
    ),
    "FILE_TOO_LARGE": (
        "Le fichier est trop volumineux.",
        "The file is too large.",
    ),
    "TOO_MANY_STUDENTS": (
        "Le fichier contient plus d'élèves qu'un établissement n'en compte : ce n'est pas la liste "
        "des élèves d'un seul établissement.",
        "The file holds more students than any school has: it is not the list of the students of one school.",
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
    # Campaigns and joining
    "CAMPAIGN_NOT_FOUND": (
        "Ce code de campagne n'existe pas : vérifiez-le auprès de votre enseignant.",
        "This campaign code does not exist: check it with your teacher.",
    ),
    "CAMPAIGN_ARCHIVED": (
        "Cette campagne est archivée : elle n'accepte plus de participation.",
        "This campaign is archived: it takes no more participations.",
    ),
    "CAMPAIGN_NOT_RESTRICTED": (
        "Cette campagne n'est pas réservée aux élèves d'un établissement : il n'y a pas d'élève à retrouver.",
        "This campaign is not restricted to the students of a school: there is no student to find.",
    ),
    "CAMPAIGN_CODE_ALREADY_USED": (
        "Aucun code de campagne libre n'a pu être tiré. Réessayez.",
        "No free campaign code could be drawn. Please try again.",
    ),
    "NOT_A_STUDENT_OF_ORGANIZATION": (
        "Cette campagne est réservée aux élèves de l'établissement : votre compte n'est rattaché à aucun "
        "de ses élèves. Rattachez-le avec vos nom, prénom et date de naissance. Les membres de l'équipe "
        "pédagogique peuvent seulement la prévisualiser.",
        "This campaign is restricted to the school's students: your account is attached to none of them. "
        "Attach it with your names and birth date. Staff members can only preview it.",
    ),
    "STUDENT_NOT_FOUND": (
        "Nous ne vous avons pas retrouvé dans la liste des élèves. Vérifiez vos nom, prénom et date de "
        "naissance. S'ils sont justes, demandez à votre enseignant de vérifier que la liste des élèves "
        "a bien été importée dans Pix Orga.",
        "We could not find you in the list of students. Check your names and birth date. If they are "
        "right, ask your teacher to check that the list of students was imported into Pix Orga.",
    ),
    "STUDENT_ALREADY_LINKED": (
        "Vous possédez déjà un compte Pix rattaché à cet élève : connectez-vous avec l'identifiant "
        "indiqué. Si ce compte n'est pas le vôtre, votre enseignant peut contacter le support Pix pour "
        "qu'il le détache.",
        "You already have a Pix account attached to this student: log in with the login shown. If that "
        "account is not yours, your teacher can contact Pix support to have it detached.",
    ),
    "USER_ALREADY_LINKED_IN_ORGANIZATION": (
        "Votre compte est déjà rattaché à un autre élève de cet établissement. Si c'est une erreur, "
        "votre enseignant peut contacter le support Pix.",
        "Your account is already attached to another student of this school. If this is a mistake, "
        "your teacher can contact Pix support.",
    ),
    "ACCOUNT_BELONGS_TO_ANOTHER_STUDENT": (
        "Le compte avec lequel vous êtes connecté appartient à un autre élève. Déconnectez-vous, puis "
        "connectez-vous avec votre propre compte ou créez-en un.",
        "The account you are logged in with belongs to another student. Log out, then log in with your "
        "own account or create one.",
    ),
    "ORGANIZATION_MEMBER_CANNOT_LINK": (
        "Vous êtes membre de cet établissement dans Pix Orga : votre compte ne peut pas être rattaché à "
        "l'un de ses élèves. Utilisez la prévisualisation pour essayer la campagne.",
        "You are a member of this school in Pix Orga: your account cannot be attached to one of its "
        "students. Use the preview to try the campaign.",
    ),
    "ORGANIZATION_MEMBER_CANNOT_PARTICIPATE": (
        "Vous êtes membre de cet établissement dans Pix Orga : vous ne pouvez pas participer à ses "
        "campagnes comme élève. Utilisez la prévisualisation pour essayer la campagne.",
        "You are a member of this school in Pix Orga: you cannot take part in its campaigns as a "
        "student. Use the preview to try the campaign.",
    ),
    "USER_NOT_FOUND": ("Ce compte n'existe pas.", "This account does not exist."),
    # Account recovery
    "ACCOUNT_RECOVERY_NOT_ALLOWED": (
        "Ce compte ne peut pas être récupéré de cette façon. Selon la raison indiquée : rejoignez une "
        "campagne pour créer votre compte, demandez à votre enseignant de réinitialiser votre mot de passe, "
        "utilisez « Mot de passe oublié » avec votre adresse e-mail, ou contactez le support Pix.",
        "This account cannot be recovered this way. Depending on the reason given: join a campaign to "
        'create your account, ask your teacher to reset your password, use "Forgotten password" with '
        "your e-mail address, or contact Pix support.",
    ),
    "RECOVERY_LINK_INVALID": (
        "Ce lien de récupération n'est plus valide : il a déjà servi, a été remplacé par une demande plus "
        "récente ou a expiré. Faites une nouvelle demande.",
        "This recovery link is no longer valid: it was already used, replaced by a newer request or has "
        "expired. Please ask for a new one.",
    ),
    # Webhooks
    "INVALID_WEBHOOK_URL": (
        "Cette adresse ne peut pas recevoir de webhooks : elle doit être en https et mener à une "
        "adresse publique d'Internet.",
        "This URL cannot receive webhooks: it must be https and lead to a public Internet address.",
    ),
    "WEBHOOK_ENDPOINT_NOT_FOUND": (
        "Ce webhook n'existe pas dans cette organisation.",
        "No such webhook endpoint in this organization.",
    ),
    "TOO_MANY_WEBHOOK_ENDPOINTS": (
        "Cette organisation a déjà le nombre maximal de webhooks : supprimez-en un d'abord.",
        "This organization already has the most webhook endpoints allowed: delete one first.",
    ),
    "WEBHOOK_ENDPOINT_DISABLED": (
        "Ce webhook est désactivé : réactivez-le d'abord.",
        "This webhook endpoint is disabled: enable it first.",
    ),
}


def message(code: str, language: str) -> str:
    french, english = MESSAGES.get(code, MESSAGES["BAD_REQUEST"])
    return english if language == "en" else french
