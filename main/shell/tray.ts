import { Menu, nativeImage, Tray } from 'electron';

export interface TrayOptions {
  iconPath: string;
  onOpen: () => void;
  onQuit: () => void;
}

/** The menu-bar icon: a status line, Open Switchboard, Quit. */
export class AppTray {
  private readonly tray: Tray;

  constructor(private readonly options: TrayOptions) {
    const image = nativeImage.createFromPath(options.iconPath);
    if (process.platform === 'darwin') image.setTemplateImage(true);
    this.tray = new Tray(image);
    this.tray.setToolTip('Switchboard');
    this.tray.on('click', () => options.onOpen());
    this.setStatus('Switchboard: starting…');
  }

  setStatus(status: string): void {
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: status, enabled: false },
        { type: 'separator' },
        { label: 'Open Switchboard', click: () => this.options.onOpen() },
        { label: 'Quit Switchboard', accelerator: 'CommandOrControl+Q', click: () => this.options.onQuit() },
      ]),
    );
  }

  isAlive(): boolean {
    return !this.tray.isDestroyed();
  }

  destroy(): void {
    this.tray.destroy();
  }
}
