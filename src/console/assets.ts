import { stylesheet } from '../html/assets';
import { CONSOLE_CSS } from './styles';

/** The console's stylesheet (also the sign-in and error pages'), served at a content-versioned address. */
export const CONSOLE_STYLESHEET = stylesheet('/assets/console.css', CONSOLE_CSS, 'The staff console stylesheet (versioned by content, cached for a year)');
