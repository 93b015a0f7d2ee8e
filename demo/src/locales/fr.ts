import { defineTranslations } from 'trpc-messages';
import { t } from '../../catalog.js';
import { page } from './page.js';

// French typography: a narrow no-break space (U+202F) before ; : ! ? % and inside « ».

/** The server's messages in French (checked against the catalog's keys and placeholders). */
export const messagesFr = defineTranslations(t, {
  'task.created': 'Tâche « {title} » créée.',
  'task.stored': 'Tâche {id} enregistrée ; tâches sur votre liste : {count}.',
  'task.completed': 'Tâche « {title} » terminée.',
  'task.deleted': 'Tâche « {title} » supprimée.',
  'task.restored': 'Tâche « {title} » rétablie.',
  'task.gone': 'Cette tâche n’existe plus.',
  'task.titleMissing': 'Une tâche a besoin d’un titre.',
  'task.titleTooLong': 'Un titre a au plus {max} caractères.',
  'tasks.open': 'Tâches en cours : {count}.',
  'export.progress': 'Export de vos tâches : {percent} %…',
  'export.ready': 'Export prêt : vos tâches sont enregistrées.',
  'task.undo': 'Annuler',
  'user.signedIn': 'Connecté en tant que {name} : vos tâches vous suivent sur tout navigateur.',
  'user.signedOut': 'Déconnecté.',
});

/** The page's own texts in French. */
export const pageFr = defineTranslations(page, {
  'app.title': 'Tâches',
  'app.lede':
    'Chaque action reçoit du serveur un message à usage unique, mis en file dans la procédure et affiché ici en notification.',
  'settings.label': 'Réglages',
  'settings.language': 'Langue',
  'settings.theme': 'Thème',
  'theme.system': 'Système',
  'theme.light': 'Clair',
  'theme.dark': 'Sombre',
  'form.label': 'Nouvelle tâche',
  'form.placeholder': 'Que faut-il faire ?',
  'form.submit': 'Ajouter',
  'form.count': '{count} / {max}',
  'form.countSpoken': '{count} caractères sur {max}',
  'list.label': 'Vos tâches',
  'list.empty': 'Aucune tâche pour l’instant. Ajoutez-en une, ou essayez les messages ci-dessous.',
  'list.complete': 'Terminer',
  'list.delete': 'Supprimer',
  'list.done': 'Terminée',
  'try.heading': 'Essayez les messages',
  'try.five': 'En ajouter cinq d’un coup',
  'try.fiveHint': 'Cinq mutations en un lot, cinq notifications.',
  'try.remind': 'Me le rappeler (niveau personnalisé)',
  'try.remindHint': 'Un niveau propre à l’application, stylé par son étiquette.',
  'try.export': 'Exporter les tâches',
  'try.exportHint': 'Une tâche de fond : une notification, mise à jour sur place.',
  'try.reload': 'Enregistrer et recharger',
  'try.reloadHint':
    'Recharge à l’arrivée de la réponse : le message s’affiche quand même, une fois.',
  'try.debug': 'Afficher les messages de débogage',
  'try.debugHint': 'Les messages sous le niveau par défaut, gardés pour ce navigateur.',
  'try.errorHint': 'Ajoutez deux fois une tâche vide : une seule erreur, comptée.',
  'try.undoHint': 'Supprimez une tâche : sa notification propose d’annuler.',
  'user.heading': 'Se connecter',
  'user.hint': 'Un nom suffit : vos tâches et vos messages vous suivent sur tout navigateur.',
  'user.name': 'Nom',
  'user.signIn': 'Se connecter',
  'user.signOut': 'Se déconnecter',
  'user.signedInAs': 'Connecté en tant que {name}.',
  'footer.text':
    'Vos tâches et vos messages sont gardés pour cette session du navigateur, en mémoire.',
});
